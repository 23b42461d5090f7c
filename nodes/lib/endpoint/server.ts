/**
 * The OpenAI-compatible HTTP endpoint: GET /v1/models, POST /v1/completions and
 * /v1/chat/completions (streamed as server-sent events on request), behind a bearer key, with a
 * body size limit, a max_tokens limit and one generation at a time (a bounded queue, 429 beyond it).
 * Every failure is answered with OpenAI's error object; nothing a client sends can end the server.
 * /weft/status and /weft/stop (same key) let Weft check it lives and stop it.
 */
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, toApiError } from './api-error.ts';
import { EventStream, readJsonBody, sendError, sendJson } from './http-body.ts';
import { GenerationQueue, QueueFullError } from './queue.ts';
import { parseChatRequest, parseCompletionRequest, type Sampling } from './requests.ts';
import type { ServedModel, TextResult } from './served-model.ts';

export interface EndpointServerOptions {
  id: string;
  /** The name clients send as `model`. */
  modelName: string;
  model: ServedModel;
  key: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Requests that may wait while one generates; more are refused with 429. */
  queueLimit: number;
  /** The largest max_tokens a request may ask for (and the default for chat). */
  maxTokens: number;
  /** The largest request body, in bytes. */
  bodyLimit: number;
  /** Called after POST /weft/stop is answered. */
  onStopRequested?: () => void;
}

export interface EndpointStatusBody {
  id: string;
  model: string;
  backend: string;
  pid: number;
  startedAt: string;
  requestsServed: number;
  queued: number;
  running: boolean;
  queueLimit: number;
  maxTokens: number;
}

export interface EndpointServer {
  url: string;
  port: number;
  status(): EndpointStatusBody;
  close(): Promise<void>;
}

/** OpenAI's legacy completions default to 16 tokens; chat defaults to as many as allowed. */
const COMPLETION_DEFAULT_MAX_TOKENS = 16;

export const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '::1';

function keyMatches(header: string | undefined, key: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

const newId = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;
const usageOf = (r: TextResult) => ({ prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, total_tokens: r.promptTokens + r.completionTokens });

export async function startEndpointServer(o: EndpointServerOptions): Promise<EndpointServer> {
  const queue = new GenerationQueue(o.queueLimit);
  const startedAt = new Date().toISOString();
  let port = 0;

  const status = (): EndpointStatusBody => ({
    id: o.id,
    model: o.modelName,
    backend: o.model.backend,
    pid: process.pid,
    startedAt,
    requestsServed: queue.served,
    queued: queue.queued,
    running: queue.running,
    queueLimit: o.queueLimit,
    maxTokens: o.maxTokens,
  });

  const modelObject = () => ({ id: o.modelName, object: 'model', created: Math.floor(Date.parse(startedAt) / 1000), owned_by: 'weft' });

  function checkSampling(s: Sampling, defaultMax: number): { maxTokens: number; seed: number } {
    if (s.model !== o.modelName) throw new ApiError(404, `The model \`${s.model}\` does not exist on this endpoint; it serves \`${o.modelName}\``, 'invalid_request_error', 'model', 'model_not_found');
    const maxTokens = s.maxTokens ?? defaultMax;
    if (maxTokens > o.maxTokens) throw new ApiError(400, `max_tokens is ${maxTokens}; this endpoint allows at most ${o.maxTokens}`, 'invalid_request_error', 'max_tokens', 'invalid_value');
    return { maxTokens, seed: s.seed ?? randomInt(0, 2 ** 32 - 1) };
  }

  /** Runs one generation in its turn; the client leaving (while waiting or generating) gives up the slot. */
  async function generate(prompt: string, s: Sampling, extraStops: string[], defaultMax: number, res: ServerResponse, onText: (delta: string) => void): Promise<TextResult> {
    const { maxTokens, seed } = checkSampling(s, defaultMax);
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('the client closed the connection'));
    });
    try {
      return await queue.run(() => o.model.generate({ prompt, maxTokens, temperature: s.temperature, topP: s.topP, seed, stop: [...s.stop, ...extraStops] }, onText, abort.signal), abort.signal);
    } catch (e) {
      if (e instanceof QueueFullError) throw new ApiError(429, e.message, 'requests', null, 'rate_limit_exceeded');
      throw e;
    }
  }

  async function completions(body: unknown, res: ServerResponse): Promise<void> {
    const r = parseCompletionRequest(body);
    const id = newId('cmpl');
    const created = Math.floor(Date.now() / 1000);
    const chunk = (text: string, finish: string | null) => ({ id, object: 'text_completion', created, model: o.modelName, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] });
    if (!r.stream) {
      const out = await generate(r.prompt, r, [], COMPLETION_DEFAULT_MAX_TOKENS, res, () => undefined);
      sendJson(res, 200, { ...chunk(out.text, out.finish), usage: usageOf(out) });
      return;
    }
    const events = new EventStream(res);
    const out = await generate(r.prompt, r, [], COMPLETION_DEFAULT_MAX_TOKENS, res, (text) => events.send(chunk(text, null)));
    events.send(chunk('', out.finish));
    if (r.includeUsage) events.send({ id, object: 'text_completion', created, model: o.modelName, choices: [], usage: usageOf(out) });
    events.end();
  }

  async function chatCompletions(body: unknown, res: ServerResponse): Promise<void> {
    const r = parseChatRequest(body);
    const { prompt, stop } = await o.model.renderChat(r.messages);
    const id = newId('chatcmpl');
    const created = Math.floor(Date.now() / 1000);
    if (!r.stream) {
      const out = await generate(prompt, r, stop, o.maxTokens, res, () => undefined);
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: o.modelName,
        choices: [{ index: 0, message: { role: 'assistant', content: out.text, refusal: null }, logprobs: null, finish_reason: out.finish }],
        usage: usageOf(out),
      });
      return;
    }
    const events = new EventStream(res);
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({ id, object: 'chat.completion.chunk', created, model: o.modelName, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    // OpenAI's first chunk names the role; the content follows in later ones.
    const open = () => {
      if (!events.started) events.send(chunk({ role: 'assistant', content: '' }, null));
    };
    const out = await generate(prompt, r, stop, o.maxTokens, res, (text) => {
      open();
      events.send(chunk({ content: text }, null));
    });
    open();
    events.send(chunk({}, out.finish));
    if (r.includeUsage) events.send({ id, object: 'chat.completion.chunk', created, model: o.modelName, choices: [], usage: usageOf(out) });
    events.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // On loopback, the Host header must name this server: a page that rebinds its own domain to 127.0.0.1 is refused.
    if (isLoopback(o.host)) {
      const host = (req.headers.host ?? '').toLowerCase();
      if (![`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host)) throw new ApiError(403, `refused: foreign Host "${host}"`, 'invalid_request_error', null, 'forbidden');
    }
    if (!keyMatches(req.headers.authorization, o.key)) {
      throw new ApiError(401, 'Incorrect API key provided. Send the key Weft showed when it started this endpoint as "Authorization: Bearer <key>".', 'invalid_request_error', null, 'invalid_api_key');
    }
    const path = new URL(req.url ?? '/', 'http://endpoint').pathname.replace(/\/+$/, '');
    const route = `${req.method} ${path}`;
    if (route === 'GET /v1/models') return sendJson(res, 200, { object: 'list', data: [modelObject()] });
    if (req.method === 'GET' && path.startsWith('/v1/models/')) {
      const name = decodeURIComponent(path.slice('/v1/models/'.length));
      if (name !== o.modelName) throw new ApiError(404, `The model \`${name}\` does not exist on this endpoint`, 'invalid_request_error', 'model', 'model_not_found');
      return sendJson(res, 200, modelObject());
    }
    if (route === 'GET /weft/status') return sendJson(res, 200, status());
    if (route === 'POST /weft/stop') {
      sendJson(res, 200, { stopping: true });
      res.on('finish', () => o.onStopRequested?.());
      return;
    }
    if (route === 'POST /v1/completions') return completions(await readJsonBody(req, o.bodyLimit), res);
    if (route === 'POST /v1/chat/completions') return chatCompletions(await readJsonBody(req, o.bodyLimit), res);
    throw new ApiError(404, `no such route: ${req.method} ${path} (this endpoint serves GET /v1/models, POST /v1/completions and POST /v1/chat/completions)`, 'invalid_request_error', null, 'unknown_url');
  }

  const http: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const err = toApiError(e);
      if (err.status >= 500) process.stderr.write(`${new Date().toISOString()} ${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      if (res.headersSent) {
        // Mid-stream: OpenAI's clients read an error event, then the stream ends.
        if (!res.destroyed) res.end(`data: ${JSON.stringify(err.body())}\n\n`);
      } else sendError(res, err);
    });
  });
  // A broken client connection is that client's problem, never the server's.
  http.on('clientError', (_e, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.port, o.host, () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  // Bound to every interface: local clients reach it at the loopback address.
  const urlHost = o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    status,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
