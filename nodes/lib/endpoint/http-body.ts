/** Reading a request body with a size limit, and writing JSON answers and OpenAI errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error.ts';

const HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };

/** The body as JSON; 413 past `limit` bytes (checked on Content-Length first, then as it arrives), 400 when not JSON. */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const tooLarge = () => new ApiError(413, `the request body is larger than this endpoint accepts (${limit} bytes)`, 'invalid_request_error', null, 'request_too_large');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (e) => {
      if (!done) reject(e);
      done = true;
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new ApiError(400, `the request body is not valid JSON (${(e as Error).message})`, 'invalid_request_error', null, 'invalid_json'));
      }
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...HEADERS, ...extra, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

export function sendError(res: ServerResponse, e: ApiError): void {
  // A body the server did not read is left on the connection: close it rather than parse it as the next request.
  sendJson(res, e.status, e.body(), e.status === 413 ? { Connection: 'close' } : {});
}

/** Server-sent events in OpenAI's framing: `data: <json>` blocks, ended by `data: [DONE]`. Headers go with the first event. */
export class EventStream {
  constructor(private readonly res: ServerResponse) {}

  get started(): boolean {
    return this.res.headersSent;
  }

  send(data: unknown): void {
    if (this.res.destroyed) return;
    if (!this.res.headersSent) this.res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    this.res.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (this.res.destroyed) return;
    if (!this.res.headersSent) this.res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8' });
    this.res.end('data: [DONE]\n\n');
  }
}
