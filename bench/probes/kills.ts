/**
 * kill -9 of `weft run` at several points of a tiny pretraining, then `weft resume`: the resumed
 * run must end with the same final loss, bit for bit, as an uninterrupted run, and its record must
 * hold the whole training history.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent, RunRecord } from '../../nodes/sdk/index.ts';
import { tempDir } from '../../test/helpers.ts';
import { PRETRAIN_EXAMPLE, TINY_PRETRAIN_SETTINGS } from './slow-graph.ts';

const WEFT = fileURLToPath(new URL('../../bin/weft.js', import.meta.url));
const STEPS = 40;
const CHECKPOINT_EVERY = 8;

export interface KillResult {
  point: string;
  killedAtStep: number | null;
  resumedState: string;
  resumedFromStep: number | undefined;
  finalLoss: number | undefined;
  identical: boolean;
  historyRows: number;
}

function weft(args: string[]): ChildProcess {
  return spawn(process.execPath, [WEFT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function finished(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function onlyRun(workspace: string): string | null {
  const dir = join(workspace, 'runs');
  return existsSync(dir) ? (readdirSync(dir)[0] ?? null) : null;
}

function events(workspace: string, runId: string): RunEvent[] {
  const file = join(workspace, 'runs', runId, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as RunEvent];
      } catch {
        return [];
      }
    });
}

function record(workspace: string, runId: string): RunRecord {
  return JSON.parse(readFileSync(join(workspace, 'runs', runId, 'run.json'), 'utf8')) as RunRecord;
}

function historyRows(r: RunRecord): number {
  const dir = r.nodes.train?.artifactDir;
  const file = dir && join(dir, 'history.csv');
  return file && existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length - 1 : 0;
}

const runArgs = (workspace: string) => ['run', PRETRAIN_EXAMPLE, '--workspace', workspace, ...TINY_PRETRAIN_SETTINGS(STEPS, CHECKPOINT_EVERY).flatMap((s) => ['--set', s])];

/** Starts `weft run`, kills it with SIGKILL once `when` holds of its event log, then resumes it. */
async function killThenResume(point: string, when: (log: RunEvent[]) => boolean, reference: number): Promise<KillResult> {
  const workspace = tempDir('weft-probe-kill-');
  const child = weft(runArgs(workspace));
  const exited = finished(child);
  let killedAtStep: number | null = null;
  for (;;) {
    await new Promise((r) => setTimeout(r, 25));
    const runId = onlyRun(workspace);
    const log = runId ? events(workspace, runId) : [];
    if (when(log)) {
      child.kill('SIGKILL');
      const steps = log.filter((e) => e.type === 'node-progress' && e.nodeId === 'train');
      killedAtStep = steps.length ? (steps.at(-1) as { step: number }).step : null;
      break;
    }
    if (child.exitCode !== null) break;
  }
  await exited;
  const runId = onlyRun(workspace)!;
  const resume = weft(['resume', runId, '--workspace', workspace]);
  await finished(resume);
  const r = record(workspace, runId);
  const finalLoss = r.nodes.train?.metrics?.finalLoss;
  return { point, killedAtStep, resumedState: r.state, resumedFromStep: r.nodes.train?.metrics?.resumedFromStep, finalLoss, identical: finalLoss === reference, historyRows: historyRows(r) };
}

const trainAt = (step: number) => (log: RunEvent[]) => log.some((e) => e.type === 'node-progress' && e.nodeId === 'train' && e.step >= step);

export async function probeKills(): Promise<{ reference: number; referenceRows: number; results: KillResult[] }> {
  const refWorkspace = tempDir('weft-probe-kill-ref-');
  const ref = weft(runArgs(refWorkspace));
  await finished(ref);
  const refRecord = record(refWorkspace, onlyRun(refWorkspace)!);
  const reference = refRecord.nodes.train?.metrics?.finalLoss;
  if (refRecord.state !== 'succeeded' || reference === undefined) throw new Error(`the uninterrupted run ${refRecord.state}: ${refRecord.error ?? JSON.stringify(refRecord.nodes.train)}`);
  const results: KillResult[] = [];
  results.push(await killThenResume('while the tokenizer trains', (log) => log.some((e) => e.type === 'node-state' && e.nodeId === 'tokenizer' && e.state === 'running'), reference));
  results.push(await killThenResume('training, before the first checkpoint', trainAt(3), reference));
  results.push(await killThenResume(`training, just after the checkpoint at step ${CHECKPOINT_EVERY}`, trainAt(CHECKPOINT_EVERY), reference));
  results.push(await killThenResume('training, mid-way', trainAt(21), reference));
  results.push(await killThenResume('training, near the end', trainAt(STEPS - 2), reference));
  results.push(await killThenResume('after training, while evaluating', (log) => log.some((e) => e.type === 'node-state' && e.nodeId === 'evaluate' && e.state === 'running'), reference));
  return { reference, referenceRows: historyRows(refRecord), results };
}
