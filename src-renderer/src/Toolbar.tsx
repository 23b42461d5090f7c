import { commandTooltip, type CommandId } from '../../nodes/sdk/commands.ts';
import type { RunState } from '../../nodes/sdk/runs.ts';

export interface ToolbarProps {
  run(id: CommandId): void;
  enabled: Partial<Record<CommandId, boolean>>;
  fileName: string;
  path: string | null;
  dirty: boolean;
  empty: boolean;
  playgroundVisible: boolean;
  running: boolean;
  live: { runId: string; state: RunState } | null;
  connected: boolean;
  /** Opens the Endpoints view (local OpenAI-compatible endpoints). */
  onEndpoints(): void;
}

/** The bar above the canvas: file, playground, editing and run commands, the file's name and the run's state. */
export function Toolbar({ run, enabled, fileName, path, dirty, empty, playgroundVisible, running, live, connected, onEndpoints }: ToolbarProps) {
  const off = (id: CommandId) => enabled[id] === false;
  return (
    <header className="toolbar">
      <div className="brand">Weft</div>
      <div className="group">
        <button onClick={() => run('new')} title={commandTooltip('new')}>
          New
        </button>
        <button onClick={() => run('open')} title={commandTooltip('open')} data-testid="open">
          Open
        </button>
        <button onClick={() => run('save')} title={commandTooltip('save')} data-testid="save">
          Save
        </button>
        <button onClick={() => run('save-as')} title={commandTooltip('save-as')}>
          Save as
        </button>
        <button onClick={() => run('templates')} data-testid="templates-button">
          Templates
        </button>
      </div>
      <div className="group">
        <button className={playgroundVisible ? 'on' : ''} onClick={() => run('playground')} title="Chat with or complete text from a model a run produced" data-testid="playground-button">
          Playground
        </button>
        <button onClick={onEndpoints} title="Local OpenAI-compatible endpoints: status, stop, key" data-testid="endpoints-button">
          Endpoints
        </button>
      </div>
      <div className="group">
        <button onClick={() => run('undo')} disabled={off('undo')} title={commandTooltip('undo')} data-testid="undo">
          ↶
        </button>
        <button onClick={() => run('redo')} disabled={off('redo')} title={commandTooltip('redo')} data-testid="redo">
          ↷
        </button>
        <button onClick={() => run('tidy')} disabled={off('tidy')} title={commandTooltip('tidy')}>
          Tidy
        </button>
        <button onClick={() => run('fit')} title={commandTooltip('fit')}>
          Fit
        </button>
      </div>
      <div className="file" data-testid="file-name" title={path ?? undefined}>
        {fileName}
        {dirty && (
          <span className="dirty" data-testid="dirty" title="Unsaved changes">
            ●
          </span>
        )}
      </div>
      <div className="group run-group">
        {!running ? (
          // An empty graph has nothing to run; the button says so (Ctrl+Enter still starts an empty run, as it always has).
          <button className="primary" onClick={() => run('run')} disabled={off('run') || empty} title={commandTooltip('run')} data-testid="run">
            ▶ Run
          </button>
        ) : (
          <>
            {live?.state === 'paused' ? (
              <button onClick={() => run('resume')} data-testid="resume">
                ▶ Resume
              </button>
            ) : (
              <button onClick={() => run('pause')} data-testid="pause">
                ❚❚ Pause
              </button>
            )}
            <button className="danger" onClick={() => run('cancel')} data-testid="cancel">
              ■ Cancel
            </button>
          </>
        )}
        <span className={`run-state state-${live?.state ?? 'idle'}`} data-testid="run-state">
          {live && live.runId !== 'pending' ? live.state : live ? 'starting' : 'ready'}
        </span>
      </div>
      {!connected && <div className="offline">Disconnected from Weft</div>}
    </header>
  );
}
