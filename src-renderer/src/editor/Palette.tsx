import { useMemo, useState } from 'react';
import type { NodeSpec } from '../../../nodes/sdk/define-node.ts';
import { PORT_TYPES } from '../../../nodes/sdk/ports.ts';
import { PALETTE_MIME } from './Canvas.tsx';

/** Node types by category, with search over name, type and description. Drag one onto the canvas. */
export function Palette({ specs, onAdd }: { specs: NodeSpec[]; onAdd(spec: NodeSpec): void }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const match = (s: NodeSpec) => !q || [s.label, s.type, s.description, s.category].some((t) => t.toLowerCase().includes(q));
    const by = new Map<string, NodeSpec[]>();
    for (const s of specs.filter(match)) by.set(s.category, [...(by.get(s.category) ?? []), s]);
    return [...by.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [specs, query]);

  return (
    <aside className="palette" data-testid="palette">
      <div className="panel-title">Nodes</div>
      <input className="search" type="search" placeholder="Search nodes…" value={query} onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          // Enter adds the first match: search-and-add without the mouse.
          const first = groups[0]?.[1][0];
          if (e.key === 'Enter' && first) onAdd(first);
          if (e.key === 'Escape') setQuery('');
        }}
        aria-label="Search nodes"
      />
      <div className="palette-list">
        {groups.map(([category, items]) => (
          <section key={category}>
            <h3>{category}</h3>
            {items.map((s) => (
              <div
                key={s.type}
                className="palette-item"
                draggable
                data-testid={`palette-${s.type}`}
                title={`${s.description}\nDrag onto the canvas, or double-click to add.`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(PALETTE_MIME, s.type);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onDoubleClick={() => onAdd(s)}
              >
                <div className="palette-label">
                  {s.label}
                  {s.heavy && <span className="heavy">heavy</span>}
                </div>
                <div className="palette-ports">
                  {Object.values(s.inputs).map((p, i) => (
                    <i key={`i${i}`} style={{ background: PORT_TYPES[p.type]?.color }} title={`in: ${p.type}`} />
                  ))}
                  <span>→</span>
                  {Object.values(s.outputs).map((p, i) => (
                    <i key={`o${i}`} style={{ background: PORT_TYPES[p.type]?.color }} title={`out: ${p.type}`} />
                  ))}
                </div>
                <div className="palette-desc">{s.description}</div>
              </div>
            ))}
          </section>
        ))}
        {groups.length === 0 && <p className="muted">No node matches “{query}”.</p>}
      </div>
    </aside>
  );
}
