/**
 * The one binder of a door to any transport (Electron IPC, the web server's WebSocket): it checks a
 * call's method and arguments against the door's description, then dispatches to the implementation.
 * Who may call at all (the app's own window, the session's token) is the transport's business.
 */
import { z } from 'zod';
import { requestMethods, type Door, type RequestMethod } from './door.ts';

export interface BoundDoor<Api> {
  /** The request methods, to register one channel each where the transport needs it. */
  readonly methods: ReadonlyArray<RequestMethod<Api>>;
  /**
   * Refuses an unknown method or arguments that do not match its schema (naming each bad
   * parameter), else calls `target[method]` with the parsed arguments.
   */
  dispatch(target: Pick<Api, RequestMethod<Api>>, method: string, args: unknown): Promise<unknown>;
}

export function bindDoor<Api>(door: Door<Api>): BoundDoor<Api> {
  const methods = requestMethods(door);
  const requests = new Map(
    methods.map((method) => {
      const params = door[method](z);
      return [method as string, { names: Object.keys(params), schema: z.tuple(Object.values(params) as [z.ZodType, ...z.ZodType[]]) }] as const;
    }),
  );
  return {
    methods,
    async dispatch(target, method, args) {
      const request = requests.get(method);
      if (!request) throw new Error(`refused: unknown method ${JSON.stringify(method)}`);
      const parsed = request.schema.safeParse(args);
      if (!parsed.success) {
        const where = (path: readonly PropertyKey[]) => {
          const [first, ...rest] = path.map(String);
          if (first === undefined) return 'arguments';
          return [request.names[Number(first)] ?? first, ...rest].join('.');
        };
        throw new Error(`refused ${method}: ${parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`).join('; ')}`);
      }
      const fn = (target as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
      if (typeof fn !== 'function') throw new Error(`refused: ${method} is not available here`);
      return fn.apply(target, parsed.data as unknown[]);
    },
  };
}
