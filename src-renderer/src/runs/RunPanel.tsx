import { useCallback, useEffect, useMemo, useState } from 'react';
import { FINAL_RUN_STATES, type RunRecord, type RunSummary } from '../../../nodes/sdk/runs.ts';
import { useEditor, useRunsTick } from '../context.ts';
import { MetricChart } from './MetricChart.tsx';
import { followActiveRun, followingLiveRun, watchRunLog } from './reattach.ts';
import { formatDuration, formatMetric, headlineMetrics, metricPanels, runViewFromRecord, type RunView } from './run-view.ts';
import { compareRows } from './compare.ts';

type Tab = 'metrics' | 'logs' | 'history' | 'compare';

function Metrics({ view }: { view: RunView | null }) {
  if (!view) return <p className="muted pad">Run the pipeline to see live metrics here.</p>;
  const { charts, numbers } = metricPanels(view);
  if (!charts.length && !numbers.length) return <p className="muted pad">No metrics streamed yet.</p>;
  return (
    <>
      {numbers.length > 0 && (
        <div className="metric-numbers" data-testid="metric-numbers">
          {numbers.map(({ nodeId, metric, value }) => (
            <div key={`${nodeId}.${metric}`} className="metric-number" data-testid={`number-${nodeId}.${metric}`}>
              <span className="muted">
                {nodeId} · {metric}
              </span>
              <b>{formatMetric(value)}</b>
            </div>
          ))}
        </div>
      )}
      <div className="charts">
        {charts.map(({ nodeId, metric, series }) => (
          <MetricChart key={`${nodeId}.${metric}`} title={`${nodeId} · ${metric}`} lines={[{ label: metric, series }]} version={view.version} />
        ))}
      </div>
    </>
  );
}

type LogEntry = RunView['nodes'][string]['logs'][number];

/**
 * One log line. A multi-line message (an error's stack) shows its first line, a plain message, with
 * the rest folded under it: the reader sees what went wrong before where in the code.
 */
function LogLine({ line }: { line: LogEntry }) {
  const head = `${line.at.slice(11, 19)}  ${line.level.padEnd(5)} `;
  const [first, ...rest] = line.message.split('\n');
  if (!rest.length) return <div className={`log-line log-${line.level}`}>{head + line.message}</div>;
  const isStack = rest.some((r) => /^\s+at /.test(r));
  return (
    <details className={`log-line log-${line.level}`} data-testid="log-folded">
      <summary>
        {head + first}
        <span className="muted"> ({isStack ? 'stack trace' : 'more'}, {rest.length} line{rest.length === 1 ? '' : 's'})</span>
      </summary>
      <pre>{rest.join('\n')}</pre>
    </details>
  );
}

function Logs({ view, focus }: { view: RunView | null; focus: string | null }) {
  const ids = view ? Object.keys(view.nodes).filter((id) => view.nodes[id]!.logs.length || view.nodes[id]!.error) : [];
  const [picked, setPicked] = useState<string | null>(null);
  const node = picked && ids.includes(picked) ? picked : focus && ids.includes(focus) ? focus : ids[0] ?? null;
  if (!view || !node) return <p className="muted pad">Nothing logged yet.</p>;
  const n = view.nodes[node]!;
  return (
    <div className="logs">
      <div className="log-nodes">
        {ids.map((id) => (
          <button key={id} className={id === node ? 'active' : ''} onClick={() => setPicked(id)} data-testid={`logs-node-${id}`}>
            <span className={`dot state-${view.nodes[id]!.state}`} />
            {id}
          </button>
        ))}
      </div>
      <div className="log-text" data-testid="log-text">
        {n.error && (
          <p className="log-failed" data-testid="log-failed">
            FAILED: {n.error}
          </p>
        )}
        {n.logs.map((l, i) => (
          <LogLine key={i} line={l} />
        ))}
      </div>
    </div>
  );
}

function History({ runs, onOpen, onReplay, onResume, compare, setCompare }: { runs: RunSummary[]; onOpen(id: string): void; onReplay(id: string): void; onResume(id: string): void; compare: string[]; setCompare(ids: string[]): void }) {
  if (!runs.length) return <p className="muted pad">No runs yet. Every run is recorded here, with its graph, settings, metrics and logs.</p>;
  return (
    <div className="history">
      <table data-testid="history">
        <thead>
          <tr>
            <th title="Pick two to compare">⇄</th>
            <th>Run</th>
            <th>State</th>
            <th>Started</th>
            <th>Duration</th>
            <th>Device</th>
            <th>Key metrics</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-testid={`run-${r.id}`}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`compare ${r.id}`}
                  checked={compare.includes(r.id)}
                  onChange={(e) => setCompare(e.target.checked ? [...compare, r.id].slice(-2) : compare.filter((x) => x !== r.id))}
                />
              </td>
              <td>
                <div>{r.name}</div>
                <div className="muted small mono">
                  {r.id}
                  {r.replayOf ? ` · replay of ${r.replayOf}` : ''}
                </div>
              </td>
              <td>
                <span className={`badge badge-${r.state}`}>{r.state}</span>
              </td>
              <td className="small">{new Date(r.createdAt).toLocaleString()}</td>
              <td className="small">{formatDuration(r.durationMs)}</td>
              <td className="small" data-testid="history-device">{r.devices?.join(', ') || '—'}</td>
              <td className="small metrics-cell" data-testid="history-metrics">
                {headlineMetrics(r.metrics).map((m) => (
                  <span key={m.key} className="metric-chip" title={`${m.key} (node ${m.node})`}>
                    <span className="muted">{m.label}</span> <b>{m.value}</b> <span className="muted small">· {m.node}</span>
                  </span>
                ))}
              </td>
              <td className="actions">
                <button onClick={() => onOpen(r.id)}>Open</button>
                <button onClick={() => onReplay(r.id)}>Replay</button>
                {(r.state === 'interrupted' || r.state === 'failed' || r.state === 'cancelled') && <button onClick={() => onResume(r.id)}>Resume</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CompareTable({ title, a, b, rows, testId }: { title: string; a: string; b: string; rows: Array<[string, string, string]>; testId: string }) {
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          <th>{title}</th>
          <th>{a}</th>
          <th>{b}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([k, x, y]) => (
          <tr key={k} className={x !== y ? 'differs' : ''} data-testid={`compare-${k}`}>
            <td className="mono">{k}</td>
            <td>{x}</td>
            <td>{y}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Compare({ ids }: { ids: string[] }) {
  const { api, specs } = useEditor();
  const [loaded, setLoaded] = useState<Array<{ record: RunRecord; view: RunView }> | null>(null);
  useEffect(() => {
    if (ids.length !== 2) return setLoaded(null);
    let live = true;
    void Promise.all(ids.map(async (id) => ({ record: await api.getRun(id), events: await api.getRunEvents(id) }))).then((rs) => {
      if (live) setLoaded(rs.map(({ record, events }) => ({ record, view: runViewFromRecord(record, events) })));
    });
    return () => {
      live = false;
    };
  }, [ids, api]);
  if (ids.length !== 2) return <p className="muted pad">Tick two runs in History to compare their settings and curves.</p>;
  if (!loaded) return <p className="muted pad">Loading…</p>;
  const [a, b] = loaded as [{ record: RunRecord; view: RunView }, { record: RunRecord; view: RunView }];
  const { settings, results } = compareRows(a.record, b.record, specs);
  // Curves of two points or more; a metric with fewer is a number in Results.
  const metricKeys = [...new Set([a, b].flatMap(({ view }) => Object.entries(view.nodes).flatMap(([id, n]) => Object.entries(n.series).filter(([, s]) => s.x.length >= 2).map(([m]) => `${id}\u0000${m}`))))];
  return (
    <div className="compare" data-testid="compare">
      <CompareTable title="Setting" a={a.record.id} b={b.record.id} rows={settings} testId="compare-settings" />
      {results.length > 0 && <CompareTable title="Result" a={a.record.id} b={b.record.id} rows={results} testId="compare-results" />}
      <div className="charts">
        {metricKeys.map((key) => {
          const [id, m] = key.split('\u0000') as [string, string];
          const lines = [a, b].filter(({ view }) => view.nodes[id]?.series[m]).map(({ record, view }) => ({ label: record.id, series: view.nodes[id]!.series[m]! }));
          return <MetricChart key={key} title={`${id} · ${m}`} lines={lines} version={0} />;
        })}
      </div>
    </div>
  );
}

export const SHOW_TAB_EVENT = 'weft:show-run-tab';

/** The bottom panel: live metrics, logs per node, run history, and side-by-side comparison. */
export function RunPanel({ focusNode, onError }: { focusNode: string | null; onError(e: unknown): void }) {
  const { api, runs } = useEditor();
  const tick = useRunsTick();
  const [tab, setTab] = useState<Tab>('metrics');
  const [history, setHistory] = useState<RunSummary[]>([]);
  const [compare, setCompare] = useState<string[]>([]);
  const refresh = useCallback(() => void api.listRuns().then(setHistory, onError), [api, onError]);
  const liveState = runs.live?.state;
  useEffect(refresh, [refresh, liveState]);
  useEffect(() => {
    if (tab === 'history') refresh();
  }, [tab, refresh]);
  // The desktop menu's View > History asks for the tab from outside the panel.
  useEffect(() => {
    const show = (e: Event) => setTab((e as CustomEvent<Tab>).detail);
    window.addEventListener(SHOW_TAB_EVENT, show);
    return () => window.removeEventListener(SHOW_TAB_EVENT, show);
  }, []);

  // A run still under way opens live (progress, charts, logs, Pause and Cancel), unless the editor
  // already follows another live run: then it opens as a view that still updates as events come.
  const follow = async (id: string) => {
    if (followingLiveRun(runs)) return false;
    const record = await followActiveRun(api, runs, id);
    if (!record || runs.live?.runId !== id) return false;
    runs.view(record, runs.live);
    setTab('metrics');
    return true;
  };
  const open = async (id: string) => {
    try {
      if (await follow(id)) return;
      // The log last, and shown in the turn it arrives: a run still going goes on from there.
      const record = await api.getRun(id);
      const events = await api.getRunEvents(id);
      runs.view(record, runViewFromRecord(record, events));
      // Still going, but not here: another process drives it. Its log shows how it goes on.
      if (!FINAL_RUN_STATES.includes(record.state)) watchRunLog(api, runs, id, events.length);
      setTab('metrics');
    } catch (e) {
      onError(e);
    }
  };
  const replay = async (id: string) => {
    try {
      const past = await api.getRun(id);
      runs.expectRun();
      const { runId } = await api.replayRun(id);
      runs.startLive(runId, past.graph.nodes.map((n) => n.id));
      runs.view({ ...past, id: runId, state: 'running', replayOf: id }, runs.live!);
      setTab('metrics');
    } catch (e) {
      runs.clearLive();
      onError(e);
    }
  };
  const resume = async (id: string) => {
    try {
      await api.resumeRun(id);
      await follow(id);
      refresh();
    } catch (e) {
      onError(e);
    }
  };
  const shown = runs.shown;
  const tabs = useMemo(
    () => [
      ['metrics', 'Metrics'],
      ['logs', 'Logs'],
      ['history', `History${history.length ? ` (${history.length})` : ''}`],
      ['compare', 'Compare'],
    ] as const,
    [history.length],
  );
  void tick;
  return (
    <section className="runpanel" data-testid="runpanel">
      <div className="tabs">
        {tabs.map(([t, label]) => (
          <button key={t} className={tab === t ? 'active' : ''} onClick={() => setTab(t)} data-testid={`tab-${t}`}>
            {label}
          </button>
        ))}
        <span className="spacer" />
        {shown && shown.runId !== 'pending' && (
          <span className="muted small mono" data-testid="shown-run">
            {shown.runId} · <span className={`state-text state-${shown.state}`}>{shown.state}</span>
          </span>
        )}
      </div>
      <div className="tab-body">
        {tab === 'metrics' && <Metrics view={shown} />}
        {tab === 'logs' && <Logs view={shown} focus={focusNode} />}
        {tab === 'history' && <History runs={history} onOpen={open} onReplay={replay} onResume={resume} compare={compare} setCompare={setCompare} />}
        {tab === 'compare' && <Compare ids={compare} />}
      </div>
    </section>
  );
}
