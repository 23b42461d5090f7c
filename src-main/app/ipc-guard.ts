import type { IpcMainInvokeEvent } from 'electron';
import type { z } from 'zod';

/**
 * Refuses a request unless it comes from the main frame of the app's own page: a sub-frame or a
 * page that somehow navigated elsewhere must not reach the API or the shell.
 */
export function assertFromAppWindow(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, isAppUrl: (url: string) => boolean, method: string): void {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || !isAppUrl(frame.url)) {
    throw new Error(`refused ${method}: the request did not come from Weft's own window`);
  }
}

/**
 * Parses a request's arguments, or throws a refusal that names each bad field. `names` turns the
 * leading tuple index into the parameter's name, so the message says "path", not "0".
 */
export function parseArgs<T>(schema: z.ZodType<T>, args: unknown[], method: string, names: readonly string[] = []): T {
  const parsed = schema.safeParse(args);
  if (parsed.success) return parsed.data;
  const where = (path: readonly PropertyKey[]) => {
    const [first, ...rest] = path.map(String);
    if (first === undefined) return 'arguments';
    const head = names[Number(first)] ?? first;
    return [head, ...rest].join('.');
  };
  throw new Error(`refused ${method}: ${parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`).join('; ')}`);
}
