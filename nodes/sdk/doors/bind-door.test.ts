import { describe, expect, it, vi } from 'vitest';
import { bindDoor } from './bind-door.ts';
import { API_METHODS, weftApiDoor, type WeftApi } from './weft-api.ts';
import { SHELL_METHODS, shellDoor, type ShellApi } from './shell-api.ts';
import type { Door } from './door.ts';

interface Greeter {
  greet(name: string, times?: number): Promise<string>;
  ping(): Promise<void>;
  onEvent(listener: () => void): () => void;
}
const greeterDoor = {
  greet: (z) => ({ name: z.string().min(1), times: z.number().int().optional() }),
  ping: () => ({}),
} satisfies Door<Greeter>;

describe('bindDoor', () => {
  it('lists the request methods in declaration order, events left out', () => {
    expect(bindDoor<Greeter>(greeterDoor).methods).toEqual(['greet', 'ping']);
    expect(bindDoor<WeftApi>(weftApiDoor).methods).toEqual(API_METHODS);
    expect(API_METHODS).not.toContain('subscribe');
    expect(bindDoor<ShellApi>(shellDoor).methods).toEqual(SHELL_METHODS);
    expect(SHELL_METHODS).not.toContain('onMenuCommand');
  });

  it('calls the target with the parsed arguments', async () => {
    const target = { greet: vi.fn(async (name: string, times = 1) => `hi ${name} x${times}`), ping: vi.fn(async () => undefined) };
    const door = bindDoor<Greeter>(greeterDoor);
    expect(await door.dispatch(target, 'greet', ['ada', 2])).toBe('hi ada x2');
    expect(await door.dispatch(target, 'greet', ['ada'])).toBe('hi ada x1');
    expect(target.greet.mock.contexts[0]).toBe(target);
  });

  it('refuses unknown methods, inherited names and bad arguments, naming the parameter', async () => {
    const target = { greet: vi.fn(async () => ''), ping: vi.fn(async () => undefined) };
    const door = bindDoor<Greeter>(greeterDoor);
    await expect(door.dispatch(target, 'onEvent', [])).rejects.toThrow(/refused: unknown method "onEvent"/);
    await expect(door.dispatch(target, 'constructor', [])).rejects.toThrow(/unknown method/);
    await expect(door.dispatch(target, 'greet', [''])).rejects.toThrow(/refused greet: name:/);
    await expect(door.dispatch(target, 'greet', ['ada', 1.5])).rejects.toThrow(/refused greet: times:/);
    await expect(door.dispatch(target, 'ping', ['extra'])).rejects.toThrow(/refused ping/);
    await expect(door.dispatch(target, 'ping', 'not an array')).rejects.toThrow(/refused ping: arguments/);
    expect(target.greet).not.toHaveBeenCalled();
    expect(target.ping).not.toHaveBeenCalled();
  });

  it("checks the Weft API's arguments by parameter name", async () => {
    const api = { getRun: vi.fn(async () => ({})), startRun: vi.fn(async () => ({ runId: 'r' })) } as unknown as WeftApi;
    const door = bindDoor<WeftApi>(weftApiDoor);
    await expect(door.dispatch(api, 'getRun', ['../etc'])).rejects.toThrow(/refused getRun: runId:/);
    await expect(door.dispatch(api, 'startRun', [{ graph: {}, seed: -1 }])).rejects.toThrow(/request\.seed/);
    expect(await door.dispatch(api, 'startRun', [{ graph: {}, seed: 3 }])).toEqual({ runId: 'r' });
  });
});
