import { weftApiDoor, type WeftApi } from '../../nodes/sdk/index.ts';
import { bindDoor } from '../../nodes/sdk/doors/bind-door.ts';

/** Browser -> server. */
export interface CallMessage {
  id: number;
  method: string;
  args: unknown[];
}

/** Server -> browser: a reply to a call, or an engine event pushed as it happens. */
export type ServerMessage =
  | { id: number; result: unknown }
  | { id: number | null; error: { name: string; message: string; errors?: unknown } }
  | { event: unknown };

const door = bindDoor<WeftApi>(weftApiDoor);

function errorReply(id: number | null, e: unknown): ServerMessage {
  const err = e instanceof Error ? e : new Error(String(e));
  // GraphInvalidError carries structured errors the editor puts on nodes and ports.
  const errors = (err as { errors?: unknown }).errors;
  return { id, error: { name: err.name, message: err.message, ...(Array.isArray(errors) ? { errors } : {}) } };
}

/**
 * Handles one text frame: parse, check the envelope and the method's argument schema, then call.
 * Nothing outside weftApiDoor is callable, and nothing reaches the API unchecked.
 */
export async function handleMessage(api: WeftApi, raw: string): Promise<ServerMessage> {
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch {
    return errorReply(null, new Error('refused: the message is not JSON'));
  }
  const m = msg as Partial<CallMessage> | null;
  if (!m || typeof m !== 'object' || !Number.isSafeInteger(m.id)) return errorReply(null, new Error('refused: a call needs a numeric id'));
  const id = m.id as number;
  if (typeof m.method !== 'string') return errorReply(id, new Error(`refused: unknown method ${JSON.stringify(m.method)}`));
  try {
    const result = await door.dispatch(api, m.method, m.args ?? []);
    return { id, result: result ?? null };
  } catch (e) {
    return errorReply(id, e);
  }
}
