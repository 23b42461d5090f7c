/**
 * The per-launch key of `weft serve`, as the page holds it: in its own address (the URL the command
 * printed), never in a cookie, which every other server on 127.0.0.1 would receive too. The page
 * sends it explicitly: in its WebSocket's address and in its download links.
 */
export function sessionKey(): string {
  return new URLSearchParams(location.search).get('token') ?? '';
}

/** A same-origin URL of the web server with the key added (download links cannot carry headers). */
export function withSessionKey(path: string): string {
  return `${path}?token=${encodeURIComponent(sessionKey())}`;
}
