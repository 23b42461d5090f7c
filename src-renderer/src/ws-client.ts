import { API_METHODS } from '../../nodes/sdk/doors/weft-api.ts';
import type { WeftApi } from '../../nodes/sdk/doors/weft-api.ts';
import type { EngineEvent } from '../../nodes/sdk/runs.ts';
import type { GraphError } from '../../nodes/sdk/errors.ts';
import { MAX_GRAPH_BYTES, MAX_MESSAGE_BYTES } from '../../nodes/sdk/limits.ts';

/** An API error as the host reported it; graph problems keep their structured list. */
export class ApiError extends Error {
  constructor(
    message: string,
    override readonly name: string,
    readonly errors?: GraphError[],
  ) {
    super(message);
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/**
 * The Weft API over the web server's WebSocket: calls are {id, method, args} frames answered by
 * {id, result|error}; engine events arrive unasked. Reconnects when the socket drops (a restarted
 * server gets a new token, so that only helps against network hiccups; the page says so).
 */
export function webSocketApi(url: string, onConnection?: (up: boolean) => void): WeftApi {
  let socket: WebSocket | null = null;
  let ready: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Set<(e: EngineEvent) => void>();

  const open = (): Promise<WebSocket> => {
    if (ready) return ready;
    ready = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        onConnection?.(true);
        resolve(ws);
      };
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as { id?: number | null; result?: unknown; error?: { name: string; message: string; errors?: GraphError[] }; event?: EngineEvent };
        if (msg.event) {
          for (const l of listeners) l(msg.event);
          return;
        }
        const p = msg.id == null ? undefined : pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id!);
        if (msg.error) p.reject(new ApiError(msg.error.message, msg.error.name, msg.error.errors));
        else p.resolve(msg.result);
      };
      ws.onclose = () => {
        socket = null;
        ready = null;
        onConnection?.(false);
        for (const p of pending.values()) p.reject(new Error('lost the connection to Weft'));
        pending.clear();
        reject(new Error('could not connect to Weft'));
        // Keep events flowing after a drop: reconnect while anyone listens.
        if (listeners.size) setTimeout(() => void open().catch(() => {}), 1000);
      };
    });
    return ready;
  };

  const call =
    <T,>(method: string) =>
    async (...args: unknown[]): Promise<T> => {
      const ws = socket ?? (await open());
      const id = nextId++;
      // JSON turns a trailing undefined into null, which the schemas rightly refuse: leave it out.
      while (args.length && args[args.length - 1] === undefined) args.pop();
      const text = JSON.stringify({ id, method, args });
      // Over the server's limit the socket would be closed: say why instead (e.g. saving a huge graph).
      const bytes = new TextEncoder().encode(text).length;
      if (bytes > MAX_MESSAGE_BYTES) {
        throw new Error(`${method === 'saveGraph' ? 'this graph' : 'this request'} is ${(bytes / 2 ** 20).toFixed(1)} MB; Weft accepts at most ${MAX_GRAPH_BYTES / 2 ** 20} MB per graph`);
      }
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(text);
      });
    };

  return {
    // Every request method, each a plain call; the server checks each against the API schema.
    ...(Object.fromEntries(API_METHODS.map((m) => [m, call(m)])) as unknown as Omit<WeftApi, 'subscribe'>),
    subscribe(listener) {
      listeners.add(listener);
      void open().catch(() => {});
      return () => listeners.delete(listener);
    },
  };
}
