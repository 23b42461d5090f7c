import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { SamplingSettings } from '../../../nodes/sdk/playground.ts';
import { useEditor } from '../context.ts';
import type { GenerationStats } from '../../../nodes/sdk/playground.ts';
import type { DevicePreference } from '../../../nodes/sdk/device.ts';
import { endText, modelKey, modesFor, type PlaygroundMode, type PlaygroundModel } from './playground-model.ts';

function usePlayground(model: PlaygroundModel) {
  return useSyncExternalStore(model.subscribe, model.getState);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Number settings as a slider and a box, clamped to the range the host accepts. */
function Setting({ label, help, value, min, max, step, onChange, testId }: { label: string; help: string; value: number; min: number; max: number; step: number; onChange(v: number): void; testId: string }) {
  const set = (raw: string) => {
    const v = Number(raw);
    if (raw.trim() !== '' && Number.isFinite(v)) onChange(Math.min(max, Math.max(min, step >= 1 ? Math.round(v) : v)));
  };
  return (
    <label className="pg-setting" title={help}>
      <span>{label}</span>
      <input type="range" min={min} max={max} step={step} value={value} onChange={(e) => set(e.target.value)} aria-label={`${label} slider`} />
      <input type="number" min={min} max={max} step={step} value={value} onChange={(e) => set(e.target.value)} aria-label={label} data-testid={testId} />
    </label>
  );
}

/** Stop strings as the user types them: one per line, \n written as a backslash-n. */
const parseStops = (text: string) => text.split('\n').map((s) => s.replace(/\\n/g, '\n').replace(/\\t/g, '\t')).filter(Boolean).slice(0, 16);
const showStops = (stops: string[] = []) => stops.map((s) => s.replace(/\n/g, '\\n').replace(/\t/g, '\\t')).join('\n');

const MODE_LABEL: Record<PlaygroundMode, string> = { chat: 'Chat', complete: 'Complete text', classify: 'Classify', 'fill-mask': 'Fill in' };
const MODE_HINT: Record<PlaygroundMode, string> = {
  chat: 'Chat with the model, in the format it was fine-tuned on.',
  complete: 'The model continues your text.',
  classify: 'The model labels your text, with the probability of each label.',
  'fill-mask': 'The model guesses the tokens where you wrote <mask>.',
};
const PLACEHOLDER: Record<PlaygroundMode, string> = {
  chat: '',
  complete: 'Text for the model to continue, e.g. “Call me Ishmael.”',
  classify: 'Text to label, e.g. an e-mail',
  'fill-mask': 'Text with <mask> where a token is missing, e.g. “Call me <mask>.”',
};

/** A classifier's labels as bars, or an encoder's guesses for each mask. */
function PredictionView({ stats }: { stats: GenerationStats }) {
  const p = stats.prediction!;
  return (
    <div className="pg-prediction" data-testid="pg-prediction">
      {p.labels?.map((l, i) => (
        <div key={l.label} className={`pg-label${i === 0 ? ' top' : ''}`} data-testid={`pg-label-${l.label}`}>
          <span className="pg-label-name">{l.label}</span>
          <span className="pg-bar">
            <span style={{ width: `${(l.probability * 100).toFixed(1)}%` }} />
          </span>
          <span className="mono">{(l.probability * 100).toFixed(1)}%</span>
        </div>
      ))}
      {p.masks?.map((m, i) => (
        <div key={i} className="pg-mask" data-testid="pg-mask">
          <span className="muted small">mask {i + 1}</span>
          {m.candidates.map((c) => (
            <span key={c.token} className="pg-candidate" title={`${(c.probability * 100).toFixed(2)}%`}>
              <b className="mono">{JSON.stringify(c.token)}</b> {(c.probability * 100).toFixed(1)}%
            </span>
          ))}
        </div>
      ))}
    </div>
  );
}

/**
 * What the model was actually given: the chat rendered in its template, end-of-text markers and all;
 * the start that did not fit the context is shown struck out before it.
 */
function SeenPrompt({ stats }: { stats: GenerationStats }) {
  return (
    <details className="pg-seen" open={!!stats.promptTextDropped}>
      <summary className="muted small">What the model saw{stats.promptTextDropped ? ` (the struck-out start did not fit its context)` : ''}</summary>
      <pre className="mini-log">
        {stats.promptTextDropped && (
          <del className="pg-dropped" data-testid="pg-dropped-prompt" title="Left out: did not fit the model's context">
            {stats.promptTextDropped}
          </del>
        )}
        <span data-testid="pg-seen-prompt">{stats.promptText}</span>
      </pre>
    </details>
  );
}

export function Playground({ model, onClose }: { model: PlaygroundModel; onClose(): void }) {
  const { api, toast } = useEditor();
  const s = usePlayground(model);
  const [input, setInput] = useState('');
  const [stopsText, setStopsText] = useState(showStops(s.settings.stop));
  const transcript = useRef<HTMLDivElement>(null);
  const chosen = model.model;

  const refresh = useCallback(() => api.listModels().then((m) => model.setModels(m), (e: unknown) => toast(`Could not list models: ${errorText(e)}`, 'error', 'playground')), [api, model, toast]);
  useEffect(() => void refresh(), [refresh]);

  useEffect(() => {
    transcript.current?.scrollTo({ top: transcript.current.scrollHeight });
  }, [s.turns, s.completion]);

  const send = async (request: ReturnType<PlaygroundModel['chatRequest']>) => {
    if (!request) return;
    try {
      const { generationId } = await api.startGeneration(request);
      if (model.started(generationId)) void api.stopGeneration(generationId).catch(() => undefined);
    } catch (e) {
      model.failed(errorText(e));
    }
  };

  const submitChat = () => {
    const request = model.chatRequest(input);
    if (request) setInput('');
    void send(request);
  };

  const stop = () => {
    const id = model.requestStop();
    if (id) void api.stopGeneration(id).catch(() => undefined);
  };

  const settings = (patch: Partial<SamplingSettings>) => model.setSettings(patch);
  const usable = s.models;
  const kind = (m: (typeof usable)[number]) => (m.classifier ? ' (classifier)' : !m.causal ? ' (masked-LM encoder)' : m.chat ? ' (chat)' : '');
  const modes = chosen ? modesFor(chosen) : (['chat', 'complete'] as PlaygroundMode[]);
  const samples = s.mode === 'chat' || s.mode === 'complete';

  return (
    <div className="playground" data-testid="playground">
      <aside className="pg-side">
        <div className="panel-title">Model</div>
        <div className="pad">
          {usable.length === 0 ? (
            <p className="muted" data-testid="pg-no-models">
              No model yet. Run a pipeline with a Model, Pretrain or Fine-tune node (the <b>Pretrain a small GPT on Moby-Dick</b> template makes one), then come back.
            </p>
          ) : (
            <select value={s.modelKey ?? ''} onChange={(e) => model.choose(e.target.value)} aria-label="Model" data-testid="pg-model">
              {/* Trained models first; a Model node's fresh initialisation (random weights) apart, marked. */}
              {[
                { label: 'Trained', list: usable.filter((m) => !m.untrained) },
                { label: 'Untrained (random weights: a Model node before any training)', list: usable.filter((m) => m.untrained) },
              ]
                .filter((g) => g.list.length)
                .map((g) => (
                  <optgroup key={g.label} label={g.label}>
                    {g.list.map((m) => (
                      <option key={modelKey(m)} value={modelKey(m)}>
                        {m.label}
                        {kind(m)}
                        {m.untrained ? ' (untrained)' : ''} — {m.graphName} · {new Date(m.createdAt).toLocaleString()}
                      </option>
                    ))}
                  </optgroup>
                ))}
            </select>
          )}
          {chosen && (
            <p className="muted small" data-testid="pg-model-info">
              {(chosen.parameters / 1e6).toFixed(2)} M parameters · context {chosen.contextLength ?? '?'} tokens · vocabulary {chosen.vocabSize ?? '?'} · run <span className="mono">{chosen.runId}</span>
              {chosen.chat ? ' · fine-tuned for chat' : ''}
            </p>
          )}
          {chosen?.untrained && (
            <p className="pg-warning small" data-testid="pg-untrained">
              Untrained: this is a Model node's fresh initialisation, so its text is noise. Train it (Pretrain or Fine-tune) and choose that model instead.
            </p>
          )}
          <button onClick={() => void refresh()} className="small">
            Refresh list
          </button>
        </div>
        <div className="panel-title">Mode</div>
        <div className="pad segmented" role="radiogroup" aria-label="Mode">
          {modes.map((m) => (
            <button key={m} role="radio" aria-checked={s.mode === m} className={s.mode === m ? 'on' : ''} onClick={() => model.setMode(m)} data-testid={`pg-mode-${m}`}>
              {MODE_LABEL[m]}
            </button>
          ))}
        </div>
        {s.mode === 'chat' && chosen && !chosen.chat && (
          <p className="pad muted small pg-note" data-testid="pg-not-chat">
            This model was not fine-tuned for chat. It will see the conversation as “user: …” / “assistant: …” lines, which it has never been taught to answer.
          </p>
        )}
        {samples && (
          <>
          <div className="panel-title">Sampling</div>
        <div className="pad pg-settings">
          <Setting label="Temperature" help="0 always picks the most likely token; higher is more varied." value={s.settings.temperature} min={0} max={2} step={0.05} onChange={(v) => settings({ temperature: v })} testId="pg-temperature" />
          <Setting label="Top-k" help="Sample among the k most likely tokens; 0 turns it off." value={s.settings.topK} min={0} max={200} step={1} onChange={(v) => settings({ topK: v })} testId="pg-topk" />
          <Setting label="Top-p" help="Sample among the most likely tokens whose probabilities add up to p; 1 turns it off." value={s.settings.topP} min={0} max={1} step={0.01} onChange={(v) => settings({ topP: v })} testId="pg-topp" />
          <Setting label="Max tokens" help="The most tokens one answer may have." value={s.settings.maxTokens} min={1} max={2048} step={1} onChange={(v) => settings({ maxTokens: v })} testId="pg-max-tokens" />
          <label className="pg-setting" title="The random seed of the next request.">
            <span>Seed</span>
            <input type="number" min={0} value={s.settings.seed} onChange={(e) => Number.isInteger(Number(e.target.value)) && Number(e.target.value) >= 0 && settings({ seed: Number(e.target.value) })} aria-label="Seed" data-testid="pg-seed" />
          </label>
          <label className="pg-setting" title="Auto takes a GPU when one is found, else the CPU; GPU fails when there is none; CPU never uses a GPU. Changing it loads the model again.">
            <span>Device</span>
            <select value={s.device} onChange={(e) => model.setDevice(e.target.value as DevicePreference)} aria-label="Device" data-testid="pg-device">
              <option value="auto">Auto (a GPU first)</option>
              <option value="gpu">GPU only</option>
              <option value="cpu">CPU only</option>
            </select>
          </label>
          <label className="check small">
            <input type="checkbox" checked={s.advanceSeed} onChange={(e) => model.setAdvanceSeed(e.target.checked)} /> next seed after each request
          </label>
          <label className="pg-stops">
            <span>Stop at (one per line, \n for a newline)</span>
            <textarea rows={2} value={stopsText} onChange={(e) => setStopsText(e.target.value)} onBlur={() => settings({ stop: parseStops(stopsText) })} aria-label="Stop sequences" />
          </label>
        </div>
          </>
        )}
        {s.mode === 'chat' && (
          <>
            <div className="panel-title">System message</div>
            <div className="pad">
              <textarea rows={3} value={s.system} onChange={(e) => model.setSystem(e.target.value)} placeholder="Optional instructions before the conversation" aria-label="System message" />
            </div>
          </>
        )}
      </aside>
      <section className="pg-main">
        <div className="pg-head">
          <b>Playground</b>
          <span className="muted small">{MODE_HINT[s.mode]}</span>
          <span className="spacer" />
          <button onClick={() => model.clear()} disabled={!!s.generating}>
            Clear
          </button>
          <button onClick={onClose} data-testid="pg-close">
            Back to pipeline
          </button>
        </div>
        {s.mode === 'chat' ? (
          <>
            <div className="pg-transcript" ref={transcript} data-testid="pg-transcript" aria-live="polite">
              {s.turns.length === 0 && <p className="muted pg-empty">Ask something below. Answers stream in as the model writes them.</p>}
              {s.turns.map((t, i) => (
                <div key={i} className={`pg-turn pg-${t.role}`} data-testid={`pg-turn-${t.role}`}>
                  <div className="pg-role">{t.role === 'user' ? 'You' : 'Model'}</div>
                  <div className="pg-text">
                    {t.content}
                    {t.role === 'assistant' && s.generating && i === s.turns.length - 1 && <span className="pg-caret" />}
                  </div>
                  {t.error && <div className="pg-error" role="alert">{t.error}</div>}
                  {t.stats && <div className="muted small" data-testid="pg-stats">{endText(t.stats)}</div>}
                  {t.stats?.promptText !== undefined && <SeenPrompt stats={t.stats} />}
                </div>
              ))}
            </div>
            <form
              className="pg-input"
              onSubmit={(e) => {
                e.preventDefault();
                submitChat();
              }}
            >
              <textarea
                rows={2}
                value={input}
                onChange={(e) => setInput(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !e.shiftKey) {
                    e.preventDefault();
                    submitChat();
                  }
                }}
                placeholder={chosen ? 'Message (Enter sends, Shift+Enter for a new line)' : 'Choose a model first'}
                disabled={!chosen}
                aria-label="Message"
                data-testid="pg-message"
              />
              {s.generating ? (
                <button type="button" className="danger" onClick={stop} data-testid="pg-stop">
                  ■ Stop
                </button>
              ) : (
                <button type="submit" className="primary" disabled={!chosen || !input.trim()} data-testid="pg-send">
                  Send
                </button>
              )}
            </form>
          </>
        ) : (
          <>
            <div className="pg-transcript" ref={transcript}>
              <textarea className="pg-prompt" value={s.prompt} onChange={(e) => model.setPrompt(e.target.value)} placeholder={PLACEHOLDER[s.mode]} aria-label="Prompt" data-testid="pg-prompt" disabled={!!s.generating} rows={5} />
              {s.mode === 'fill-mask' && s.completion && (
                <div className="pg-completion" data-testid="pg-filled">
                  {s.completion}
                </div>
              )}
              {s.completionStats?.prediction && <PredictionView stats={s.completionStats} />}
              {s.mode === 'complete' && (s.completion || s.generating?.target === 'complete') && (
                <div className="pg-completion" data-testid="pg-completion">
                  <span className="muted">{s.prompt.slice(-200)}</span>
                  <span className="pg-generated">{s.completion}</span>
                  {s.generating && <span className="pg-caret" />}
                </div>
              )}
              {s.completionError && <div className="pg-error" role="alert">{s.completionError}</div>}
              {s.completionStats && <div className="muted small" data-testid="pg-stats">{endText(s.completionStats)}</div>}
              {s.completionStats?.promptText !== undefined && <SeenPrompt stats={s.completionStats} />}
            </div>
            <div className="pg-input">
              {s.generating ? (
                <button className="danger" onClick={stop} data-testid="pg-stop">
                  ■ Stop
                </button>
              ) : (
                <>
                  <button className="primary" onClick={() => void send(model.completeRequest())} disabled={!chosen} data-testid="pg-generate">
                    {s.mode === 'classify' ? 'Classify' : s.mode === 'fill-mask' ? 'Fill in' : 'Generate'}
                  </button>
                  {s.mode === 'complete' && (
                    <button onClick={() => model.acceptCompletion()} disabled={!s.completion} title="Append the generated text to the prompt, to continue from there">
                      Keep and continue
                    </button>
                  )}
                </>
              )}
            </div>
          </>
        )}
      </section>
    </div>
  );
}
