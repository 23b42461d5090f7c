/**
 * The other training paths on the webgpu backend (Dawn on SwiftShader here and in CI) match the cpu
 * backend: classification, masked LM, reward model, DPO and GRPO per-step losses within 1e-4,
 * evaluation perplexity, and the playground (greedy text, a classifier's probabilities) on the device
 * the request names. Shortened (8 steps, tiny models) to keep CI time small; test/webgpu.test.ts has
 * the 20-step pretraining and LoRA comparison.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runOnCpuAndWebgpu } from './support/webgpu-parity-run.ts';

interface Trained {
  losses: number[];
  tensors: number[];
  valAccuracy?: number | null;
}
interface BackendRun {
  backend: string;
  classification: Trained;
  masked: Trained;
  rewardModel: Trained;
  dpo: Trained & { refChosen: number[] };
  grpo: Trained & { rewards: number[]; responses: string[] };
  evaluation: { perplexity: number; loss: number; leak: number };
  playground: { text: string; tokens: number; device: { backend: string; adapter?: { software: boolean } } | null; labels: Array<{ label: string; probability: number }>; leak: number };
}

let cpu: BackendRun;
let gpu: BackendRun;

function sameLosses(name: string, a: number[], b: number[], steps: number) {
  expect(b, name).toHaveLength(steps);
  b.forEach((loss, i) => expect(Math.abs(loss - a[i]!), `${name} step ${i + 1}: webgpu ${loss}, cpu ${a[i]}`).toBeLessThan(1e-4));
}

const flat = (tensors: number[]) => new Set(tensors.slice(1)).size === 1;

describe('webgpu backend (SwiftShader) against cpu: the other trainers, evaluation, playground', () => {
  beforeAll(async () => {
    [cpu, gpu] = await runOnCpuAndWebgpu<BackendRun>('webgpu-parity-trainers.ts');
  }, 600_000);

  it('ran on cpu, then on webgpu', () => {
    expect(cpu.backend).toBe('cpu');
    expect(gpu.backend).toBe('webgpu');
  });

  it('classification: per-step losses within 1e-4, the loss falls, the same validation accuracy', () => {
    sameLosses('classification', cpu.classification.losses, gpu.classification.losses, 8);
    expect(gpu.classification.losses.at(-1)!).toBeLessThan(gpu.classification.losses[0]!);
    expect(gpu.classification.valAccuracy).toBe(cpu.classification.valAccuracy);
  });

  it('masked LM: per-step losses within 1e-4 and the loss falls', () => {
    sameLosses('masked LM', cpu.masked.losses, gpu.masked.losses, 8);
    expect(gpu.masked.losses.at(-1)!).toBeLessThan(gpu.masked.losses[0]!);
  });

  it('reward model and DPO: per-step losses within 1e-4, the same reference log-probabilities, the loss falls', () => {
    sameLosses('reward model', cpu.rewardModel.losses, gpu.rewardModel.losses, 8);
    sameLosses('DPO', cpu.dpo.losses, gpu.dpo.losses, 8);
    gpu.dpo.refChosen.forEach((lp, i) => expect(Math.abs(lp - cpu.dpo.refChosen[i]!)).toBeLessThan(1e-3));
    expect(gpu.rewardModel.losses.at(-1)!).toBeLessThan(gpu.rewardModel.losses[0]!);
    expect(gpu.dpo.losses.at(-1)!).toBeLessThan(gpu.dpo.losses[0]!);
    expect(gpu.dpo.valAccuracy).toBe(cpu.dpo.valAccuracy);
  });

  it('GRPO: the same sampled rewards, per-step losses within 1e-4, the same held-out answers', () => {
    expect(gpu.grpo.rewards).toEqual(cpu.grpo.rewards);
    sameLosses('GRPO', cpu.grpo.losses, gpu.grpo.losses, 4);
    expect(new Set(gpu.grpo.rewards).size).toBeGreaterThan(1); // the reward varied, so the loss was not trivially zero
    expect(gpu.grpo.responses).toEqual(cpu.grpo.responses);
  });

  it('evaluation: the same perplexity', () => {
    expect(Math.abs(gpu.evaluation.loss - cpu.evaluation.loss)).toBeLessThan(1e-5);
    expect(gpu.evaluation.perplexity).toBeGreaterThan(1);
  });

  it('playground: GPU answers on webgpu, CPU on a CPU backend, with the same greedy text and label probabilities', () => {
    expect(gpu.playground.device?.backend).toBe('webgpu');
    expect(gpu.playground.device?.adapter?.software).toBe(true);
    expect(['wasm', 'cpu']).toContain(cpu.playground.device?.backend);
    expect(gpu.playground.tokens).toBe(8);
    expect(gpu.playground.text).toBe(cpu.playground.text);
    expect(gpu.playground.labels.map((l) => l.label)).toEqual(cpu.playground.labels.map((l) => l.label));
    gpu.playground.labels.forEach((l, i) => expect(Math.abs(l.probability - cpu.playground.labels[i]!.probability)).toBeLessThan(1e-4));
  });

  it('keeps tf.memory().numTensors flat across steps, evaluation and generation', () => {
    for (const [name, r] of Object.entries({ classification: gpu.classification, masked: gpu.masked, rewardModel: gpu.rewardModel, dpo: gpu.dpo, grpo: gpu.grpo })) expect(flat(r.tensors), name).toBe(true);
    expect(gpu.evaluation.leak).toBe(0);
    expect(gpu.playground.leak).toBe(0);
  });
});
