import { describeDevice, type NodeState, type RunEvent, type RunRecord } from '../../nodes/sdk/index.ts';
import { bar, formatDuration, formatMetrics } from './format.ts';

const SYMBOL: Record<NodeState, string> = {
  idle: ' ',
  queued: '·',
  running: '>',
  succeeded: '✓',
  failed: '✗',
  cancelled: '■',
  skipped: '-',
  cached: '=',
};

interface Row {
  id: string;
  label: string;
  state: NodeState;
  step?: number;
  total?: number;
  etaMs?: number;
  metrics?: Record<string, number>;
  startedAt?: number;
  durationMs?: number;
  error?: string;
  /** The device the node computed on, in words ("webgpu · NVIDIA H200", "wasm"), once it is done. */
  device?: string;
}

/**
 * Live run progress in a terminal: a block of lines redrawn in place on a TTY, plain
 * line-per-change output otherwise (CI logs, pipes).
 */
export class ProgressView {
  private readonly rows = new Map<string, Row>();
  private drawnLines = 0;
  private lastPlain = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    run: RunRecord,
    private readonly out: NodeJS.WriteStream,
    private readonly tty = Boolean(out.isTTY) && process.env.TERM !== 'dumb',
  ) {
    for (const node of run.graph.nodes) {
      const rec = run.nodes[node.id];
      this.rows.set(node.id, { id: node.id, label: node.label ?? node.type, state: rec?.state ?? 'queued' });
    }
    if (this.tty) this.timer = setInterval(() => this.draw(), 250);
  }

  handle(event: RunEvent): void {
    if (event.type === 'run-state') {
      if (!this.tty) this.out.write(`run ${event.state}${event.error ? `: ${event.error.split('\n')[0]}` : ''}\n`);
      return;
    }
    const row = this.rows.get(event.nodeId);
    if (!row) return;
    if (event.type === 'node-state') {
      row.state = event.state;
      if (event.state === 'running') row.startedAt = Date.parse(event.at);
      else if (row.startedAt) row.durationMs = Date.parse(event.at) - row.startedAt;
      if (event.metrics) row.metrics = event.metrics;
      if (event.error) row.error = event.error;
      if (event.device) row.device = describeDevice(event.device);
      // Progress events are throttled (and some nodes report every hundredth record): a node that
      // succeeded did all its steps, whatever was reported last.
      if (event.state === 'succeeded' && row.total !== undefined) row.step = row.total;
      if (!this.tty) this.out.write(`${SYMBOL[event.state]} ${row.id} ${event.state}${row.durationMs !== undefined && event.state !== 'running' ? ` ${formatDuration(row.durationMs)}` : ''}${row.device ? ` on ${row.device}` : ''}${event.metrics ? ` ${formatMetrics(event.metrics)}` : ''}${event.error ? `: ${event.error}` : ''}\n`);
    } else if (event.type === 'node-progress') {
      if (row.state !== 'succeeded') {
        row.step = event.step;
        row.total = event.total;
        row.etaMs = event.etaMs;
      }
      if (event.metrics) row.metrics = { ...row.metrics, ...event.metrics };
      const now = Date.now();
      if (!this.tty && now - (this.lastPlain.get(row.id) ?? 0) >= 2000) {
        this.lastPlain.set(row.id, now);
        this.out.write(`  ${row.id} ${this.progressText(row)}\n`);
      }
    } else if (event.type === 'node-log' && event.level !== 'info') {
      this.print(`  ${row.id} ${event.level}: ${event.message}`);
    }
    if (this.tty) this.draw();
  }

  private progressText(row: Row): string {
    const parts: string[] = [];
    if (row.total) {
      parts.push(`${bar(row.step! / row.total)} ${row.step}/${row.total}`);
      if (row.etaMs !== undefined && row.state === 'running') parts.push(`ETA ${formatDuration(row.etaMs)}`);
    } else if (row.step !== undefined) parts.push(`step ${row.step}`);
    const m = formatMetrics(row.metrics);
    if (m) parts.push(m);
    return parts.join('  ');
  }

  /** Prints a line above the live block without tearing it. */
  print(line: string): void {
    if (this.tty) this.clear();
    this.out.write(line + '\n');
    if (this.tty) this.draw();
  }

  private clear(): void {
    if (this.drawnLines) this.out.write(`\x1b[${this.drawnLines}A\x1b[0J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    const width = Math.max(40, this.out.columns ?? 100);
    const idWidth = Math.min(24, Math.max(...[...this.rows.values()].map((r) => r.id.length)));
    const lines = [...this.rows.values()].map((row) => {
      const time = row.state === 'running' && row.startedAt ? formatDuration(Date.now() - row.startedAt) : formatDuration(row.durationMs);
      const detail = row.state === 'failed' || row.state === 'skipped' ? (row.error ?? '').split('\n')[0]! : row.state === 'running' || row.metrics ? this.progressText(row) : '';
      const line = `${SYMBOL[row.state]} ${row.id.padEnd(idWidth)}  ${row.state.padEnd(9)} ${time.padStart(7)}  ${row.device ? `[${row.device}] ` : ''}${detail}`;
      return line.length > width - 1 ? line.slice(0, width - 2) + '…' : line;
    });
    this.clear();
    this.out.write(lines.join('\n') + '\n');
    this.drawnLines = lines.length;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) this.draw();
  }
}
