import type { NodeState, RunEvent, RunRecord, RunState } from '../../../nodes/sdk/runs.ts';
import type { DeviceInfo } from '../../../nodes/sdk/device.ts';

export interface LogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** A metric's points, kept as plain arrays uPlot draws directly (x = step). */
export interface Series {
  x: number[];
  y: number[];
}

export interface NodeView {
  state: NodeState;
  step?: number;
  total?: number;
  etaMs?: number;
  error?: string;
  /** A gate that closed: why (the nodes after it show it as their skip reason). */
  closed?: string;
  /** What the node warned about (skipped records, data left out): shown as a badge, never hidden in the log. */
  warnings: string[];
  /** The device the node ran on (from the record, or its final state event). */
  device?: DeviceInfo;
  metrics: Record<string, number>;
  series: Record<string, Series>;
  logs: LogLine[];
}

export interface RunView {
  runId: string;
  state: RunState;
  error?: string;
  nodes: Record<string, NodeView>;
  /** Bumped on every change so views know to redraw; arrays are appended in place. */
  version: number;
}

const MAX_LOGS = 2000;

export function emptyNode(state: NodeState = 'queued'): NodeView {
  return { state, warnings: [], metrics: {}, series: {}, logs: [] };
}

/**
 * A node that succeeded did all its steps: progress events are throttled, so the last one seen may
 * be short of the total (498 / 500); a finished node shows it full.
 */
function completeProgress(node: NodeView): void {
  if (node.state !== 'succeeded') return;
  if (node.total !== undefined) node.step = node.total;
  node.etaMs = undefined;
}

export function newRunView(runId: string, record?: Pick<RunRecord, 'state' | 'nodes' | 'error'>): RunView {
  const nodes: Record<string, NodeView> = {};
  for (const [id, n] of Object.entries(record?.nodes ?? {})) {
    nodes[id] = { ...emptyNode(n.state), error: n.error, closed: n.closed, warnings: [...(n.warnings ?? [])], device: n.device, metrics: { ...(n.metrics ?? {}) }, step: n.step, total: n.total };
    completeProgress(nodes[id]);
  }
  return { runId, state: record?.state ?? 'validating', error: record?.error, nodes, version: 0 };
}

/**
 * Folds one engine event into a run's view. Mutates in place: thousands of progress events a
 * minute must not copy growing arrays; the version number tells React to redraw.
 */
export function applyEvent(view: RunView, e: RunEvent): void {
  if (e.runId !== view.runId) return;
  view.version++;
  if (e.type === 'run-state') {
    view.state = e.state;
    if (e.error) view.error = e.error;
    return;
  }
  const node = (view.nodes[e.nodeId] ??= emptyNode());
  switch (e.type) {
    case 'node-state':
      node.state = e.state;
      if (e.error) node.error = e.error;
      if (e.closed) node.closed = e.closed;
      if (e.metrics) Object.assign(node.metrics, e.metrics);
      if (e.warnings) node.warnings = [...e.warnings];
      if (e.device) node.device = e.device;
      if (e.state === 'running') {
        node.error = node.closed = undefined;
        node.warnings = [];
      }
      completeProgress(node);
      break;
    case 'node-progress':
      // A late event of a node that already succeeded must not take its full bar back.
      if (node.state !== 'succeeded') {
        node.step = e.step;
        node.total = e.total;
        node.etaMs = e.etaMs;
      }
      for (const [k, v] of Object.entries(e.metrics ?? {})) {
        if (!Number.isFinite(v)) continue;
        node.metrics[k] = v;
        const s = (node.series[k] ??= { x: [], y: [] });
        // A loop resumed from a checkpoint steps back to it: the steps before it stand (the curve
        // before the interruption stays), the ones it will redo are dropped rather than zig-zag. A
        // loop restarted from the beginning so starts its curve again.
        if (s.x.length && e.step < s.x[s.x.length - 1]!) {
          let keep = s.x.length;
          while (keep > 0 && s.x[keep - 1]! >= e.step) keep--;
          s.x.length = keep;
          s.y.length = keep;
        }
        s.x.push(e.step);
        s.y.push(v);
      }
      break;
    case 'node-log':
      node.logs.push({ at: e.at, level: e.level, message: e.message });
      if (e.level === 'warn') node.warnings.push(e.message);
      if (node.logs.length > MAX_LOGS) node.logs.splice(0, node.logs.length - MAX_LOGS);
      break;
  }
}

/**
 * A run under way as its log tells it so far: the record's nodes as the starting point (a node the
 * log has not mentioned yet), then every event in order, so states, progress, curves and logs are
 * where they would be had the page watched from the start.
 */
export function liveViewFromLog(record: RunRecord, events: RunEvent[]): RunView {
  const view = newRunView(record.id, record);
  for (const e of events) applyEvent(view, e);
  return view;
}

/** A past run as recorded: its record for states and errors, its event log for curves and logs. */
export function runViewFromRecord(record: RunRecord, events: RunEvent[]): RunView {
  const view = newRunView(record.id);
  for (const e of events) applyEvent(view, e);
  view.state = record.state;
  view.error = record.error;
  for (const [id, n] of Object.entries(record.nodes)) {
    const v = (view.nodes[id] ??= emptyNode());
    v.state = n.state;
    v.error = n.error;
    v.closed = n.closed;
    // A cached node logged nothing in this run: its warnings come from the record.
    if (!v.warnings.length && n.warnings?.length) v.warnings = [...n.warnings];
    Object.assign(v.metrics, n.metrics ?? {});
    if (v.total === undefined && n.total !== undefined) v.total = n.total;
    completeProgress(v);
  }
  return view;
}

export interface MetricChartData {
  nodeId: string;
  metric: string;
  series: Series;
}

export interface MetricNumber {
  nodeId: string;
  metric: string;
  value: number;
}

/**
 * What the Metrics tab draws: a chart for each metric with a curve (two points or more), and a plain
 * number for every other metric a node reported (a final figure, or a curve of one point, which
 * as a chart would be a lone dot).
 */
export function metricPanels(view: RunView): { charts: MetricChartData[]; numbers: MetricNumber[] } {
  const charts: MetricChartData[] = [];
  const numbers: MetricNumber[] = [];
  for (const [nodeId, n] of Object.entries(view.nodes)) {
    for (const [metric, series] of Object.entries(n.series)) if (series.x.length >= 2) charts.push({ nodeId, metric, series });
    for (const [metric, value] of Object.entries(n.metrics)) {
      if ((n.series[metric]?.x.length ?? 0) < 2 && Number.isFinite(value)) numbers.push({ nodeId, metric, value });
    }
  }
  return { charts, numbers };
}

export function formatEta(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s left`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s left`;
  return `${Math.floor(m / 60)}h ${m % 60}m left`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)}m ${Math.round(s % 60)}s`;
}

export function formatMetric(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  return a !== 0 && (a < 0.001 || a >= 1e6) ? v.toExponential(3) : v.toPrecision(4);
}

/** What a metric is called, and how its value reads, for people (History, headlines). */
const METRIC_NAMES: Record<string, { label: string; format?: (v: number) => string }> = {
  valLoss: { label: 'validation loss' },
  loss: { label: 'loss' },
  perplexity: { label: 'perplexity' },
  accuracy: { label: 'accuracy', format: percent },
  exactMatch: { label: 'exact match', format: percent },
  parameters: { label: 'parameters', format: compact },
  trainingMemoryGiB: { label: 'training memory', format: (v) => `${v.toFixed(v < 10 ? 2 : 1)} GiB` },
  tokensPerSecond: { label: 'tokens/s', format: (v) => v.toFixed(v < 100 ? 1 : 0) },
  tokens: { label: 'tokens', format: compact },
  vocabSize: { label: 'vocabulary', format: compact },
  charsPerToken: { label: 'characters per token', format: (v) => v.toFixed(2) },
  distinctWords: { label: 'distinct words', format: compact },
  words: { label: 'words', format: compact },
  records: { label: 'records', format: compact },
  skipped: { label: 'skipped records' },
};
/** The metrics History shows first: how well a model did, then its size, then the rest. */
const METRIC_ORDER = ['valLoss', 'accuracy', 'exactMatch', 'perplexity', 'loss', 'parameters'];

function percent(v: number): string {
  return v >= 0 && v <= 1 ? `${(v * 100).toFixed(1)}%` : formatMetric(v);
}

function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)} B`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)} k`;
  return formatMetric(v);
}

export interface LabelledMetric {
  /** "nodeId.metric", as run summaries key them. */
  key: string;
  node: string;
  label: string;
  value: string;
}

/** "model.parameters" → { node: "model", label: "parameters", value: "1.23 M" }. */
export function labelMetric(key: string, v: number): LabelledMetric {
  const dot = key.lastIndexOf('.');
  const node = dot > 0 ? key.slice(0, dot) : '';
  const metric = dot > 0 ? key.slice(dot + 1) : key;
  const known = METRIC_NAMES[metric];
  const label = known?.label ?? metric.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return { key, node, label, value: (known?.format ?? formatMetric)(v) };
}

/** A run's headline metrics, the telling ones first, labelled. */
export function headlineMetrics(metrics: Record<string, number>, count = 3): LabelledMetric[] {
  const rank = (key: string) => {
    const i = METRIC_ORDER.indexOf(key.slice(key.lastIndexOf('.') + 1));
    return i < 0 ? METRIC_ORDER.length : i;
  };
  return Object.entries(metrics)
    .map(([k, v], i) => ({ k, v, i }))
    .sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i)
    .slice(0, count)
    .map(({ k, v }) => labelMetric(k, v));
}
