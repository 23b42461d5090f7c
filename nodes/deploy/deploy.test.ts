import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeContext, paramsFor, runNode } from '../../test/fixtures/node-harness.ts';
import { tinyModelFolder } from '../../test/fixtures/tiny-model.ts';
import { endpointsDir, listRecords } from '../lib/endpoint/registry.ts';
import { stopAllEndpoints } from '../lib/endpoint/lifecycle.ts';
import deploy, { spec } from './index.ts';

const problems = (overrides: Record<string, string | number | boolean>, connected: string[]) => spec.validate!(paramsFor(deploy, overrides) as never, connected);

describe('deploy node', () => {
  it('knows before the run what it cannot serve', () => {
    expect(problems({}, ['model'])).toEqual([]);
    expect(problems({ gguf: 'm.gguf' }, [])).toEqual([]);
    expect(problems({}, [])).toEqual([{ port: 'model', message: 'connect a model, or name a .gguf file to serve' }]);
    expect(problems({ gguf: 'm.gguf' }, ['model'])[0]).toMatchObject({ param: 'gguf' });
    // Anything but loopback needs an explicit yes.
    expect(problems({ host: '0.0.0.0' }, ['model'])[0]).toMatchObject({ param: 'host', message: expect.stringMatching(/Allow network/) });
    expect(problems({ host: '0.0.0.0', allowNetwork: true }, ['model'])).toEqual([]);
    expect(problems({ gguf: 'm.gguf', ggufBackend: 'weft' }, [])[0]).toMatchObject({ param: 'ggufBackend' });
  });

  it('a retrained model (a new folder) replaces the endpoint the node started before: one process, named after the node', async () => {
    const ctx = fakeContext();
    const first = join(ctx.root, 'run-1');
    const second = join(ctx.root, 'run-2');
    cpSync(await tinyModelFolder(1), first, { recursive: true });
    cpSync(await tinyModelFolder(2), second, { recursive: true });
    const handle = (dir: string) => ({ model: { kind: 'model', dir, parameters: 0, config: {} } });
    const a = (await runNode(deploy, handle(first), paramsFor(deploy), ctx)).outputs.endpoint as { id: string; model: string; url: string };
    expect(a).toMatchObject({ id: 'n', model: 'n' });
    const pidA = listRecords(ctx.workspace)[0]!.pid!;
    const b = (await runNode(deploy, handle(second), paramsFor(deploy), ctx)).outputs.endpoint as { id: string };
    expect(b.id).toBe('n');
    const records = listRecords(ctx.workspace);
    expect(records.map((r) => r.modelPath)).toEqual([second]);
    expect(records[0]!.pid).not.toBe(pidA);
    expect(processesNaming(join(endpointsDir(ctx.workspace), 'n.json'))).toEqual([String(records[0]!.pid)]);
    expect(ctx.logs.join('\n')).toMatch(/replacing endpoint n \(it served .*run-1\)/);
    await stopAllEndpoints(ctx.workspace);
    ctx.cleanup();
  }, 120_000);

  it('cancelled while the model loads: the run stops and no endpoint is left behind', async () => {
    const ctx = fakeContext();
    const model = join(ctx.root, 'model');
    cpSync(await tinyModelFolder(), model, { recursive: true });
    const abort = new AbortController();
    const cancelled = { ...ctx, signal: abort.signal };
    const running = runNode(deploy, { model: { kind: 'model', dir: model, parameters: 0, config: {} } }, paramsFor(deploy, { name: 'cancel-me' }), cancelled);
    // Cancel as soon as the endpoint is registered (its process is loading the model).
    while (!existsSync(join(endpointsDir(ctx.workspace), 'cancel-me.json'))) await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    await expect(running).rejects.toThrow(/did not start: cancelled/);
    expect(readdirSync(endpointsDir(ctx.workspace))).toEqual([]);
    // Its process was ended too: none names the record any more (a killed child lingers as a zombie
    // with an empty command line until reaped).
    const record = join(endpointsDir(ctx.workspace), 'cancel-me.json');
    await new Promise((r) => setTimeout(r, 200));
    expect(processesNaming(record)).toEqual([]);
    await stopAllEndpoints(ctx.workspace);
    ctx.cleanup();
  }, 60_000);
});

function processesNaming(arg: string): string[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(arg);
    } catch {
      return false;
    }
  });
}
