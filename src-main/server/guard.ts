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

/** Cookies are shared between ports on one host, so the cookie name carries the port. */
export function cookieName(port: number): string {
  return `weft_token_${port}`;
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

export type Refusal = { status: number; reason: string };

/**
 * Decides whether a request may reach Weft. The Host header must name the loopback address we
 * listen on (a DNS-rebinding page sends its own domain there); an Origin, when sent, must be this
 * server (a page on another site cannot script us); and the token must come in the query or the
 * cookie set when the tokened URL was first opened.
 */
export function checkRequest(req: IncomingMessage, port: number, token: string, opts: { requireOrigin: boolean }): Refusal | null {
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
  const url = new URL(req.url ?? '/', `http://${host}`);
  const given = url.searchParams.get('token') ?? readCookie(req.headers.cookie, cookieName(port));
  if (!tokensEqual(given, token)) return { status: 401, reason: 'missing or wrong token' };
  return null;
}
