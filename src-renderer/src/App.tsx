import { useEffect, useState } from 'react';
import type { NodeSpec } from '../../nodes/sdk/define-node.ts';
import type { RunSummary } from '../../nodes/sdk/runs.ts';
import { hostApi } from './api.ts';

/** Until the canvas editor lands: the node catalogue and the run history, read through the API. */
export function App() {
  const [specs, setSpecs] = useState<NodeSpec[]>([]);
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const api = hostApi();
    api.listNodeTypes().then(setSpecs, (e: Error) => setError(e.message));
    api.listRuns().then(setRuns, (e: Error) => setError(e.message));
    return api.subscribe(() => void api.listRuns().then(setRuns));
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>Weft</h1>
      {error && <p role="alert">{error}</p>}
      <h2>Node types</h2>
      <ul>
        {specs.map((s) => (
          <li key={s.type}>
            <b>{s.label}</b> <code>{s.type}</code>: {s.description}
          </li>
        ))}
      </ul>
      <h2>Runs</h2>
      <ul>
        {runs.map((r) => (
          <li key={r.id}>
            {r.id} {r.name}: {r.state}
          </li>
        ))}
      </ul>
    </main>
  );
}
