/**
 * What a door is: an API the renderer calls across a process boundary (IPC or WebSocket), declared
 * once as a TypeScript interface (what each method returns, documented) plus one description that
 * gives, for each request method in order, its parameters' names and argument schemas. Both
 * transports, the preload and the WebSocket client take the method list from that description, and
 * bindDoor (bind-door.ts) validates every call against it.
 *
 * The description builds its schemas from a zod namespace it is handed, so this module and the door
 * modules import nothing at run time: the sandboxed preload, which can require only electron, reads
 * the method names from them.
 */
import type { z } from 'zod';

/** The zod namespace, handed to a door's parameter builders by whoever validates. */
export type Zod = typeof z;

/** A request's parameters, in order: name (shown when an argument is refused) -> schema. */
export type Params = Record<string, z.ZodType>;

/** The request methods of an API: those that return a promise (subscriptions are not requests). */
export type RequestMethod<Api> = {
  [K in keyof Api]-?: NonNullable<Api[K]> extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof Api] &
  string;

/** A door's description: every request method of Api, no other, each with its parameters. */
export type Door<Api> = { readonly [K in RequestMethod<Api>]: (z: Zod) => Params };

/** The request methods a door describes, in declaration order. */
export function requestMethods<Api>(door: Door<Api>): Array<RequestMethod<Api>> {
  return Object.keys(door) as Array<RequestMethod<Api>>;
}
