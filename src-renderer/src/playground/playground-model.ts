import { describeDevice, type DevicePreference } from '../../../nodes/sdk/device.ts';
import type { ChatMessage, GenerationRequest, GenerationStats, ModelInfo, PlaygroundMode, SamplingSettings } from '../../../nodes/sdk/playground.ts';
import type { EngineEvent } from '../../../nodes/sdk/runs.ts';

export type { PlaygroundMode };

export interface Turn extends ChatMessage {
  /** For assistant turns: how the generation ended. */
  stats?: GenerationStats;
  error?: string;
}

export interface PlaygroundState {
  models: ModelInfo[];
  /** "runId/nodeId" of the chosen model. */
  modelKey: string | null;
  mode: PlaygroundMode;
  settings: SamplingSettings;
  /** Each request gets the next seed, so asking twice gives two samples; fixed when false. */
  advanceSeed: boolean;
  /** Which device answers the next request: Auto, GPU or CPU. */
  device: DevicePreference;
  system: string;
  turns: Turn[];
  /** Complete mode: the text to continue and what the model wrote after it. */
  prompt: string;
  completion: string;
  completionStats: GenerationStats | null;
  completionError: string | null;
  /** The generation in flight, once the host has named it. */
  generating: null | { id: string | null; target: 'chat' | 'complete' };
  /** The playground is shown over the editor. */
  visible: boolean;
}

export const DEFAULT_SETTINGS: SamplingSettings = { maxTokens: 200, temperature: 0.8, topK: 40, topP: 0.95, seed: 1 };

export const modelKey = (m: Pick<ModelInfo, 'runId' | 'nodeId'>) => `${m.runId}/${m.nodeId}`;

/**
 * The token limit a model starts with: 200, or half its context when that is smaller (the playground
 * keeps half the window for the answer as it slides; a context of 32 leaves room for 16).
 */
export function fittingMaxTokens(m: Pick<ModelInfo, 'contextLength'> | null): number {
  const ctx = m?.contextLength;
  return ctx ? Math.max(1, Math.min(DEFAULT_SETTINGS.maxTokens, Math.floor(ctx / 2))) : DEFAULT_SETTINGS.maxTokens;
}

/** Models that generate text: decoders without a classification head. */
export const canGenerate = (m: ModelInfo) => m.causal && !m.classifier;

/** What a model can do here: decoders chat and complete, classifiers label, encoders fill in masks. */
export function modesFor(m: ModelInfo): PlaygroundMode[] {
  if (m.classifier) return ['classify'];
  if (!m.causal) return ['fill-mask'];
  return ['chat', 'complete'];
}

/** The mode a model opens in: chat for chat fine-tunes, else the first it can do. */
export function naturalMode(m: ModelInfo): PlaygroundMode {
  const modes = modesFor(m);
  return m.chat && modes.includes('chat') ? 'chat' : modes[modes.length - 1]!;
}

/**
 * The playground's state, outside React so it survives switching views and so its event handling
 * can be tested without a browser. Text arrives as events; listeners are told after each change.
 */
export class PlaygroundModel {
  private state: PlaygroundState = {
    models: [],
    modelKey: null,
    mode: 'chat',
    settings: DEFAULT_SETTINGS,
    advanceSeed: true,
    device: 'auto',
    system: '',
    turns: [],
    prompt: '',
    completion: '',
    completionStats: null,
    completionError: null,
    generating: null,
    visible: false,
  };
  /** A model asked for (from a node's preview) before the list arrived. */
  private wanted: string | null = null;
  private readonly listeners = new Set<() => void>();
  /** Events for a generation whose id has not come back yet. */
  private early: EngineEvent[] = [];
  /** Stop was pressed before the host named the generation. */
  private stopWanted = false;

  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  getState = () => this.state;

  private set(patch: Partial<PlaygroundState>) {
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((l) => l());
  }

  get model(): ModelInfo | null {
    return this.state.models.find((m) => modelKey(m) === this.state.modelKey) ?? null;
  }

  /** Shows the playground, with a model of a run's node chosen when given. */
  open(model?: { runId: string; nodeId: string }) {
    this.wanted = model ? modelKey(model) : null;
    this.set({ visible: true });
    if (this.wanted && this.state.models.some((m) => modelKey(m) === this.wanted)) this.choose(this.wanted);
  }

  close() {
    this.set({ visible: false });
  }

  setModels(models: ModelInfo[]) {
    if (this.wanted && models.some((m) => modelKey(m) === this.wanted)) {
      this.set({ models });
      this.choose(this.wanted);
      this.wanted = null;
      return;
    }
    const keep = models.some((m) => modelKey(m) === this.state.modelKey);
    // A trained model that writes text is the likelier wish; untrained ones, classifiers and encoders come after.
    const first = models.find((m) => canGenerate(m) && !m.untrained) ?? models.find(canGenerate) ?? models[0];
    this.set({ models, modelKey: keep ? this.state.modelKey : first ? modelKey(first) : null });
    if (!keep && first) this.set({ mode: naturalMode(first), ...this.fitSettings(first) });
  }

  /** The user has set the token limit: keep it across models; until then it follows each model's context. */
  private maxTokensChosen = false;

  private fitSettings(m: ModelInfo): Partial<PlaygroundState> {
    return this.maxTokensChosen ? {} : { settings: { ...this.state.settings, maxTokens: fittingMaxTokens(m) } };
  }

  /** Picks a model; a chat-tuned one opens in chat mode, a plain language model in completion mode. */
  choose(key: string) {
    const m = this.state.models.find((x) => modelKey(x) === key);
    if (!m) return;
    this.set({ modelKey: key, mode: naturalMode(m), ...this.fitSettings(m) });
  }

  setMode(mode: PlaygroundMode) {
    this.set({ mode });
  }

  setSettings(patch: Partial<SamplingSettings>) {
    if (patch.maxTokens !== undefined) this.maxTokensChosen = true;
    this.set({ settings: { ...this.state.settings, ...patch } });
  }

  setAdvanceSeed(advanceSeed: boolean) {
    this.set({ advanceSeed });
  }

  setDevice(device: DevicePreference) {
    this.set({ device });
  }

  setSystem(system: string) {
    this.set({ system });
  }

  setPrompt(prompt: string) {
    this.set({ prompt });
  }

  clear() {
    if (this.state.generating) return;
    this.set({ turns: [], completion: '', completionStats: null, completionError: null });
  }

  /** Keeps the completion as part of the prompt, to continue from there. */
  acceptCompletion() {
    if (this.state.generating) return;
    this.set({ prompt: this.state.prompt + this.state.completion, completion: '', completionStats: null });
  }

  /** The request to send for the chat's next answer, after adding the user's message. */
  chatRequest(userText: string): GenerationRequest | null {
    const m = this.model;
    if (!m || this.state.generating || !userText.trim()) return null;
    const turns: Turn[] = [...this.state.turns, { role: 'user', content: userText }];
    const messages: ChatMessage[] = [...(this.state.system.trim() ? [{ role: 'system' as const, content: this.state.system }] : []), ...turns.map(({ role, content }) => ({ role, content }))];
    this.set({ turns: [...turns, { role: 'assistant', content: '' }], generating: { id: null, target: 'chat' } });
    return { runId: m.runId, nodeId: m.nodeId, mode: 'chat', messages, settings: this.nextSettings(), device: this.state.device };
  }

  /** Complete, classify or fill in: one text in, the answer in the completion area. */
  completeRequest(): GenerationRequest | null {
    const m = this.model;
    if (!m || this.state.generating || this.state.mode === 'chat') return null;
    this.set({ completion: '', completionStats: null, completionError: null, generating: { id: null, target: 'complete' } });
    const settings = this.state.mode === 'complete' ? this.nextSettings() : this.state.settings;
    return { runId: m.runId, nodeId: m.nodeId, mode: this.state.mode, prompt: this.state.prompt, settings, device: this.state.device };
  }

  private nextSettings(): SamplingSettings {
    const s = this.state.settings;
    if (this.state.advanceSeed) this.state = { ...this.state, settings: { ...s, seed: (s.seed + 1) % 2 ** 32 } };
    return s;
  }

  /** Stop pressed: returns the id to stop now, or null when it is not known yet (it is stopped once known). */
  requestStop(): string | null {
    const g = this.state.generating;
    if (!g) return null;
    if (g.id === null) this.stopWanted = true;
    return g.id;
  }

  /** The host accepted the request under this id; true when Stop was pressed meanwhile and it must be stopped now. */
  started(id: string): boolean {
    if (!this.state.generating) return false;
    this.set({ generating: { ...this.state.generating, id } });
    const early = this.early;
    this.early = [];
    early.forEach((e) => this.handle(e));
    const stop = this.stopWanted && this.state.generating?.id === id;
    this.stopWanted = false;
    return stop;
  }

  /** The host refused the request (bad model, bad settings). */
  failed(message: string) {
    const g = this.state.generating;
    if (!g) return;
    this.finish(g.target, { error: message });
  }

  handle = (e: EngineEvent) => {
    if (e.type !== 'generation-text' && e.type !== 'generation-end') return;
    const g = this.state.generating;
    if (!g) return;
    if (g.id === null) {
      this.early.push(e);
      return;
    }
    if (e.generationId !== g.id) return;
    if (e.type === 'generation-text') {
      if (g.target === 'complete') this.set({ completion: this.state.completion + e.text });
      else this.updateLastTurn((t) => ({ ...t, content: t.content + e.text }));
    } else this.finish(g.target, { stats: e.stats, error: e.error });
  };

  private finish(target: 'chat' | 'complete', end: { stats?: GenerationStats; error?: string }) {
    this.stopWanted = false;
    if (target === 'complete') this.set({ generating: null, completionStats: end.stats ?? null, completionError: end.error ?? null });
    else {
      this.updateLastTurn((t) => ({ ...t, ...(end.stats ? { stats: end.stats } : {}), ...(end.error ? { error: end.error } : {}) }));
      this.set({ generating: null });
    }
  }

  private updateLastTurn(f: (t: Turn) => Turn) {
    const turns = this.state.turns.slice();
    const last = turns[turns.length - 1];
    if (!last || last.role !== 'assistant') return;
    turns[turns.length - 1] = f(last);
    this.set({ turns });
  }
}

/** Which device answered: the GPU's name when there is one, else the backend. */
const answeredOn = (stats: GenerationStats) => (stats.device ? ` · ${describeDevice(stats.device)}` : stats.backend ? ` · ${stats.backend}` : '');

/** How a generation ended, in words. */
export function endText(stats: GenerationStats): string {
  if (stats.prediction) return `read ${stats.promptTokens} tokens · answered in ${stats.firstTokenMs} ms${answeredOn(stats)}`;
  const why = {
    stop: 'stopped at end of text',
    length: 'reached the token limit',
    context: "filled the model's context window",
    cancelled: 'stopped',
    error: 'failed',
  }[stats.reason];
  const rate = stats.tokensPerSecond ? ` · ${stats.tokensPerSecond.toFixed(1)} tokens/s` : '';
  const dropped = stats.promptTokensDropped ? ` · the first ${stats.promptTokensDropped} prompt token${stats.promptTokensDropped === 1 ? '' : 's'} did not fit the context and ${stats.promptTokensDropped === 1 ? 'was' : 'were'} left out (shown struck out under What the model saw)` : '';
  return `${stats.tokens} tokens · ${why}${rate} · first token after ${stats.firstTokenMs} ms${answeredOn(stats)}${dropped}`;
}
