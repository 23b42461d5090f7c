import { describe, expect, it } from 'vitest';
import type { GenerationStats, ModelInfo } from '../../../nodes/sdk/playground.ts';
import { PlaygroundModel, endText, fittingMaxTokens, modesFor } from './playground-model.ts';

const model = (over: Partial<ModelInfo>): ModelInfo => ({
  runId: 'r1', nodeId: 'train', label: 'Pretrain', nodeType: 'train.pretrain', graphName: 'g', createdAt: '2026-11-28T00:00:00Z',
  parameters: 1000, causal: true, chat: false, classifier: false, dir: '/w/cache/x', ...over,
});
const stats: GenerationStats = { reason: 'stop', promptTokens: 3, promptTokensDropped: 0, tokens: 2, tokensPerSecond: 10, firstTokenMs: 5 };
const at = '2026-11-28T00:00:00Z';

describe('playground model', () => {
  it('opens on a trained model before an untrained one; the token limit follows the context until the user sets it', () => {
    const p = new PlaygroundModel();
    p.setModels([model({ nodeId: 'model', nodeType: 'model', untrained: true, contextLength: 1024 }), model({ nodeId: 'train', contextLength: 32 })]);
    expect(p.getState().modelKey).toBe('r1/train');
    expect(p.getState().settings.maxTokens).toBe(16);
    expect(fittingMaxTokens({ contextLength: 1024 })).toBe(200);
    expect(fittingMaxTokens(null)).toBe(200);
    p.choose('r1/model');
    expect(p.getState().settings.maxTokens).toBe(200);
    p.setSettings({ maxTokens: 50 });
    p.choose('r1/train');
    expect(p.getState().settings.maxTokens).toBe(50);
  });

  it('says how many prompt tokens were cut, and where to see them', () => {
    expect(endText({ ...stats, promptTokensDropped: 2, promptTextDropped: 'Ca' })).toContain('the first 2 prompt tokens did not fit the context and were left out (shown struck out under What the model saw)');
  });

  it('opens on a model that writes text, a chat model in chat mode; classifiers label and encoders fill in', () => {
    const p = new PlaygroundModel();
    p.setModels([model({ nodeId: 'cls', classifier: true }), model({ nodeId: 'enc', causal: false }), model({ nodeId: 'sft', chat: true })]);
    expect(p.getState().modelKey).toBe('r1/sft');
    expect(p.getState().mode).toBe('chat');
    p.choose('r1/cls');
    expect(p.getState().mode).toBe('classify');
    p.setPrompt('Buy now');
    expect(p.completeRequest()).toMatchObject({ mode: 'classify', prompt: 'Buy now', nodeId: 'cls' });
    p.failed('x');
    p.choose('r1/enc');
    expect(p.getState().mode).toBe('fill-mask');
    expect(modesFor(p.model!)).toEqual(['fill-mask']);
  });

  it('opens on the model a node preview asked for, even before the list arrives', () => {
    const p = new PlaygroundModel();
    p.open({ runId: 'r2', nodeId: 'train' });
    expect(p.getState().visible).toBe(true);
    p.setModels([model({}), model({ runId: 'r2' })]);
    expect(p.getState().modelKey).toBe('r2/train');
    expect(p.getState().mode).toBe('complete');
  });

  it('sends the whole conversation with the system message, streams the answer into the last turn, and keeps events that beat the id', () => {
    const p = new PlaygroundModel();
    p.setModels([model({ chat: true })]);
    p.setSystem('Be brief.');
    const first = p.chatRequest('hello')!;
    expect(first.messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello' }]);
    expect(p.chatRequest('again')).toBeNull(); // one generation at a time
    // Text can arrive before startGeneration's reply names the generation.
    p.handle({ type: 'generation-text', generationId: 'g1', at, text: 'Hi' });
    p.started('g1');
    p.handle({ type: 'generation-text', generationId: 'other', at, text: 'NOT MINE' });
    p.handle({ type: 'generation-text', generationId: 'g1', at, text: ' there' });
    p.handle({ type: 'generation-end', generationId: 'g1', at, stats });
    const s = p.getState();
    expect(s.generating).toBeNull();
    expect(s.turns).toEqual([{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'Hi there', stats }]);
    const second = p.chatRequest('and?')!;
    expect(second.messages!.map((m) => m.content)).toEqual(['Be brief.', 'hello', 'Hi there', 'and?']);
    expect(second.settings.seed).toBe(first.settings.seed + 1);
  });

  it('stops a generation whose id has not come back yet, and finishes one whose end beat its id', () => {
    const p = new PlaygroundModel();
    p.setModels([model({})]);
    p.completeRequest();
    expect(p.requestStop()).toBeNull(); // not known yet: remembered
    expect(p.started('g3')).toBe(true); // ...and asked for as soon as it is
    p.handle({ type: 'generation-end', generationId: 'g3', at, stats: { ...stats, reason: 'cancelled' } });
    expect(p.getState().generating).toBeNull();
    p.completeRequest();
    p.handle({ type: 'generation-text', generationId: 'g4', at, text: 'abc' });
    p.handle({ type: 'generation-end', generationId: 'g4', at, stats });
    expect(p.started('g4')).toBe(false);
    expect(p.getState()).toMatchObject({ generating: null, completion: 'abc', completionStats: stats });
  });

  it('completes text, shows a refusal as an error, and keeps a completion as the new prompt', () => {
    const p = new PlaygroundModel();
    p.setModels([model({})]);
    p.setAdvanceSeed(false);
    p.setPrompt('Call me');
    const r = p.completeRequest()!;
    expect(r).toMatchObject({ mode: 'complete', prompt: 'Call me', runId: 'r1', nodeId: 'train' });
    p.started('g2');
    p.handle({ type: 'generation-text', generationId: 'g2', at, text: ' Ishmael' });
    p.handle({ type: 'generation-end', generationId: 'g2', at, stats: { ...stats, reason: 'length' } });
    p.acceptCompletion();
    expect(p.getState().prompt).toBe('Call me Ishmael');
    expect(p.completeRequest()!.settings.seed).toBe(r.settings.seed);
    p.failed('the model of node "train" in run r1 is gone from the cache');
    expect(p.getState().completionError).toMatch(/gone from the cache/);
    expect(p.getState().generating).toBeNull();
  });

  it('sends the chosen device (Auto by default) and says which device answered', () => {
    const p = new PlaygroundModel();
    p.setModels([model({})]);
    expect(p.completeRequest()!.device).toBe('auto');
    p.started('g5');
    p.handle({ type: 'generation-end', generationId: 'g5', at, stats: { ...stats, backend: 'webgpu', device: { backend: 'webgpu', gpuIndex: 1, adapter: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', software: false } } } });
    expect(endText(p.getState().completionStats!)).toMatch(/· webgpu #1 · NVIDIA H200/);
    p.setDevice('cpu');
    expect(p.completeRequest()!.device).toBe('cpu');
  });
});
