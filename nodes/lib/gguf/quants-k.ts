/**
 * Q4_K, GGUF's 4-bit "k-quant": super-blocks of 256 values in 8 sub-blocks of 32, each sub-block
 * with its own scale and minimum (x ≈ d·sc·q - dmin·m, q in 0..15), the 8 scales and 8 minimums
 * stored as 6-bit numbers relative to two half-float super-block scales. 144 bytes per 256 values
 * (4.5 bits per weight).
 *
 * A port of ggml-quants.c's quantize_row_q4_K_ref (what llama-quantize runs without an importance
 * matrix) and its make_qkx2_quants search, with every float operation rounded to float32 in the
 * C code's order, so the bytes equal llama.cpp's (the test compares with its compiled library).
 */
import { fromHalf, toHalf } from './half.ts';

export const QK_K = 256;
export const Q4_K_BYTES = 2 + 2 + 12 + QK_K / 2;
const fr = Math.fround;

/** ggml's nearest_int: the float32 add of 1.5·2^23 rounds to the nearest integer, halves to even. */
const nearestInt = (v: number) => fr(v + 12582912) - 12582912;

/**
 * make_qkx2_quants(32, nmax, x, weights, L, &min, Laux, rmin, rdelta, nstep, use_mad = false):
 * the scale and minimum of one sub-block that minimise the weighted squared error, searched over
 * nstep + 1 candidate scales, each refined by weighted least squares. Writes levels into L.
 */
function makeQkx2Quants(n: number, nmax: number, x: Float32Array, w: Float32Array, L: Uint8Array, rmin: number, rdelta: number, nstep: number): { scale: number; min: number } {
  const Laux = new Uint8Array(n);
  let min = x[0]!;
  let max = x[0]!;
  let sumW = w[0]!;
  let sumX = fr(sumW * x[0]!);
  for (let i = 1; i < n; i++) {
    if (x[i]! < min) min = x[i]!;
    if (x[i]! > max) max = x[i]!;
    sumW = fr(sumW + w[i]!);
    sumX = fr(sumX + fr(w[i]! * x[i]!));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0, 0, n);
    return { scale: 0, min: -min };
  }
  let iscale = fr(nmax / fr(max - min));
  let scale = fr(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const l = Math.max(0, Math.min(nmax, nearestInt(fr(iscale * fr(x[i]! - min)))));
    L[i] = l;
    const diff = fr(fr(fr(scale * l) + min) - x[i]!);
    bestError = fr(bestError + fr(w[i]! * fr(diff * diff)));
  }
  if (nstep < 1) return { scale, min: -min };
  for (let is = 0; is <= nstep; is++) {
    // max - min with the current min: the C code moves min to each better fit it finds.
    iscale = fr(fr(fr(rmin + fr(rdelta * is)) + nmax) / fr(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.max(0, Math.min(nmax, nearestInt(fr(iscale * fr(x[i]! - min)))));
      Laux[i] = l;
      const wl = fr(w[i]! * l);
      sumL = fr(sumL + wl);
      sumL2 = fr(sumL2 + fr(wl * l));
      sumXL = fr(sumXL + fr(wl * x[i]!));
    }
    const D = fr(fr(sumW * sumL2) - fr(sumL * sumL));
    if (D > 0) {
      let thisScale = fr(fr(fr(sumW * sumXL) - fr(sumX * sumL)) / D);
      let thisMin = fr(fr(fr(sumL2 * sumX) - fr(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = fr(sumXL / sumL2);
      }
      let curError = 0;
      for (let i = 0; i < n; i++) {
        const diff = fr(fr(fr(thisScale * Laux[i]!) + thisMin) - x[i]!);
        curError = fr(curError + fr(w[i]! * fr(diff * diff)));
      }
      if (curError < bestError) {
        L.set(Laux.subarray(0, n));
        bestError = curError;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  return { scale, min: -min };
}

/** get_scale_min_k4: sub-block j's 6-bit scale and minimum from the 12 packed bytes. */
function scaleMin(j: number, q: Uint8Array): [number, number] {
  if (j < 4) return [q[j]! & 63, q[j + 4]! & 63];
  return [(q[j + 4]! & 0xf) | ((q[j - 4]! >> 6) << 4), (q[j + 4]! >> 4) | ((q[j]! >> 6) << 4)];
}

export function quantizeQ4_K(x: Float32Array): Uint8Array {
  if (x.length % QK_K !== 0) throw new Error(`Q4_K needs rows that are whole super-blocks of ${QK_K} values; this one has ${x.length}`);
  const nb = x.length / QK_K;
  const out = new Uint8Array(nb * Q4_K_BYTES);
  const view = new DataView(out.buffer);
  const L = new Uint8Array(QK_K);
  const weights = new Float32Array(32);
  const mins = new Float32Array(8);
  const scales = new Float32Array(8);
  for (let i = 0; i < nb; i++) {
    const xb = x.subarray(i * QK_K, (i + 1) * QK_K);
    let maxScale = 0;
    let maxMin = 0;
    for (let j = 0; j < 8; j++) {
      const xs = xb.subarray(32 * j, 32 * j + 32);
      let sumX2 = 0;
      for (let l = 0; l < 32; l++) sumX2 = fr(sumX2 + fr(xs[l]! * xs[l]!));
      const avX = fr(Math.sqrt(fr(sumX2 / 32)));
      for (let l = 0; l < 32; l++) weights[l] = fr(avX + Math.abs(xs[l]!));
      const r = makeQkx2Quants(32, 15, xs, weights, L.subarray(32 * j, 32 * j + 32), -1, fr(0.1), 20);
      scales[j] = r.scale;
      mins[j] = r.min;
      if (scales[j]! > maxScale) maxScale = scales[j]!;
      if (mins[j]! > maxMin) maxMin = mins[j]!;
    }
    const invScale = maxScale > 0 ? fr(63 / maxScale) : 0;
    const invMin = maxMin > 0 ? fr(63 / maxMin) : 0;
    const o = i * Q4_K_BYTES;
    const sc = out.subarray(o + 4, o + 16);
    for (let j = 0; j < 8; j++) {
      const ls = Math.min(63, nearestInt(fr(invScale * scales[j]!)) & 0xff);
      const lm = Math.min(63, nearestInt(fr(invMin * mins[j]!)) & 0xff);
      if (j < 4) {
        sc[j] = ls;
        sc[j + 4] = lm;
      } else {
        sc[j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
        sc[j - 4]! |= (ls >> 4) << 6;
        sc[j]! |= (lm >> 4) << 6;
      }
    }
    const dHalf = toHalf(fr(maxScale / 63));
    const dminHalf = toHalf(fr(maxMin / 63));
    view.setUint16(o, dHalf, true);
    view.setUint16(o + 2, dminHalf, true);
    for (let j = 0; j < 8; j++) {
      const [s, m] = scaleMin(j, sc);
      const d = fr(fromHalf(dHalf) * s);
      if (!d) continue; // keeps the levels the search chose, as the C code does
      const dm = fr(fromHalf(dminHalf) * m);
      for (let ii = 0; ii < 32; ii++) L[32 * j + ii] = Math.max(0, Math.min(15, nearestInt(fr(fr(xb[32 * j + ii]! + dm) / d))));
    }
    const qs = out.subarray(o + 16, o + Q4_K_BYTES);
    for (let j = 0, q = 0; j < QK_K; j += 64, q += 32) for (let l = 0; l < 32; l++) qs[q + l] = L[j + l]! | (L[j + l + 32]! << 4);
  }
  return out;
}

/** dequantize_row_q4_K. */
export function dequantizeQ4_K(bytes: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n / QK_K; i++) {
    const o = i * Q4_K_BYTES;
    const d = fromHalf(view.getUint16(o, true));
    const dmin = fromHalf(view.getUint16(o + 2, true));
    const sc = bytes.subarray(o + 4, o + 16);
    const qs = bytes.subarray(o + 16, o + Q4_K_BYTES);
    for (let j = 0; j < 8; j++) {
      const [s, m] = scaleMin(j, sc);
      const d1 = fr(d * s);
      const m1 = fr(dmin * m);
      const q = qs.subarray(32 * (j >> 1), 32 * (j >> 1) + 32);
      const shift = j & 1 ? 4 : 0;
      for (let l = 0; l < 32; l++) out[i * QK_K + 32 * j + l] = fr(fr(d1 * ((q[l]! >> shift) & 0xf)) - m1);
    }
  }
  return out;
}
