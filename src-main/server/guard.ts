import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A fresh secret per launch: only whoever reads the printed URL can drive this Weft. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokensEqual(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type Refusal = { status: number; reason: string };

/**
 * Decides whether a request may reach Weft. The Host header must name the loopback address we
 * listen on (a DNS-rebinding page sends its own domain there); an Origin, when sent, must be this
 * server (a page on another site, or on another port of 127.0.0.1, cannot script us); a browser's
 * Sec-Fetch-Site must say the request comes from our own page or from the user (address bar,
 * bookmark), never from another site, which for browsers includes every other port of 127.0.0.1.
 *
 * The token must be sent explicitly, in the query: never in a cookie. Cookies ignore ports, so a
 * cookie set here would also go to every other web server on 127.0.0.1 the user visits, and any
 * of those could replay it. Only the page holds the key (its own address), and it adds it to its
 * WebSocket and its download links. `needsToken: false` serves Weft's own public files (scripts,
 * styles), which hold nothing secret, so the page can load them without a key in every URL.
 */
export function checkRequest(req: IncomingMessage, port: number, token: string, opts: { requireOrigin: boolean; needsToken?: boolean }): Refusal | null {
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  // Node keeps the first of repeated Host headers; a proxy or the browser may read another. Refuse the ambiguity.
  const hostHeaders = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === 'host').length;
  if (hostHeaders > 1) return { status: 400, reason: 'more than one Host header' };
  const host = (req.headers.host ?? '').toLowerCase();
  if (!allowedHosts.includes(host)) return { status: 403, reason: `foreign Host "${host}"` };
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (!allowedHosts.some((h) => origin.toLowerCase() === `http://${h}`)) return { status: 403, reason: `foreign Origin "${origin}"` };
  } else if (opts.requireOrigin) {
    return { status: 403, reason: 'missing Origin' };
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return { status: 403, reason: `a request from another site (Sec-Fetch-Site: ${site})` };
  if (opts.needsToken === false) return null;
  const url = new URL(req.url ?? '/', `http://${host}`);
  if (!tokensEqual(url.searchParams.get('token'), token)) return { status: 401, reason: 'missing or wrong token' };
  return null;
}
