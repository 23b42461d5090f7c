/**
 * The whole node catalogue, as a non-programmer meets it in the inspector: settings that do not
 * apply say so (and are hidden), every setting explains itself in plain words, and trainers have
 * a learning rate of their own.
 */
import { describe, expect, it } from 'vitest';
import { nodeRegistry } from '../nodes/index.ts';
import { paramApplies, type AnyNodeDefinition, type ParamCondition, type ParamSpec } from '../nodes/sdk/index.ts';

const byType = new Map(nodeRegistry.map((d) => [d.type, d]));
const def = (type: string): AnyNodeDefinition => byType.get(type) ?? expect.unreachable(`no node type ${type}`);
const applies = (type: string, param: string, params: Record<string, unknown> = {}, connected: string[] = []) => paramApplies(def(type).params, param, params, connected);

/** Every param and port a condition names, with what it checks each value against. */
function conditionProblems(d: AnyNodeDefinition, name: string, c: ParamCondition): string[] {
  const where = `${d.type}.${name}`;
  if ('any' in c || 'all' in c) return ('any' in c ? c.any : c.all).flatMap((x) => conditionProblems(d, name, x));
  if ('connected' in c || 'notConnected' in c) {
    const port = 'connected' in c ? c.connected : c.notConnected;
    const spec = d.inputs[port];
    if (!spec) return [`${where}: no input port "${port}"`];
    return spec.optional ? [] : [`${where}: input "${port}" is required, so it is always connected`];
  }
  if (c.param === name) return [`${where}: depends on itself`];
  const target: ParamSpec | undefined = d.params[c.param];
  if (!target) return [`${where}: no param "${c.param}"`];
  if ('endsWith' in c) return target.kind === 'file' ? [] : [`${where}: endsWith on "${c.param}", which is not a file`];
  const values = 'is' in c ? c.is : c.not;
  return values.flatMap((v) => {
    if (target.kind === 'enum') return target.options.includes(v as string) ? [] : [`${where}: "${String(v)}" is not an option of ${c.param}`];
    const type = target.kind === 'number' || target.kind === 'integer' ? 'number' : target.kind === 'boolean' ? 'boolean' : 'string';
    return typeof v === type ? [] : [`${where}: ${JSON.stringify(v)} can never be a value of ${c.param}`];
  });
}

describe('settings that do not apply', () => {
  it('every condition names a real param, option or optional input of its node', () => {
    const problems = nodeRegistry.flatMap((d) => Object.entries(d.params).flatMap(([name, p]) => (p.when ? conditionProblems(d, name, p.when) : [])));
    expect(problems).toEqual([]);
    // The conditions are data: they survive the trip to the editor as JSON unchanged.
    for (const d of nodeRegistry) for (const p of Object.values(d.params)) if (p.when) expect(JSON.parse(JSON.stringify(p.when))).toEqual(p.when);
  });

  it('every setting that may not apply does apply for some choice of the other settings and inputs', () => {
    const never = nodeRegistry.flatMap((d) => Object.entries(d.params).filter(([name, p]) => p.when && !everApplies(d, name)).map(([name]) => `${d.type}.${name}`));
    expect(never).toEqual([]);
  });

  it('LoRA settings apply only with Method=lora, in every trainer that has them', () => {
    const withLora = nodeRegistry.filter((d) => 'loraRank' in d.params);
    expect(withLora.map((d) => d.type).sort()).toEqual(['train.dpo', 'train.rl', 'train.rm', 'train.sft']);
    for (const d of withLora) {
      for (const p of ['loraRank', 'loraAlpha', 'loraTargets']) {
        expect(applies(d.type, p, { method: 'full' }), `${d.type}.${p}`).toBe(false);
        expect(applies(d.type, p, { method: 'lora' }), `${d.type}.${p}`).toBe(true);
      }
      expect(applies(d.type, 'method', {})).toBe(true);
    }
  });

  it('mask probability is for masked training only; a model folder only with Source=folder', () => {
    expect(applies('train.pretrain', 'maskProbability', { objective: 'causal' })).toBe(false);
    expect(applies('train.pretrain', 'maskProbability', { objective: 'masked' })).toBe(true);
    expect(applies('model', 'folder', { source: 'new' })).toBe(false);
    expect(applies('model', 'folder', { source: 'folder' })).toBe(true);
    expect(applies('model', 'hubModel', { source: 'folder' })).toBe(false);
  });

  it("a loaded model's shape settings do not apply; Llama-only settings need Llama", () => {
    for (const p of ['layers', 'width', 'heads', 'context', 'tiedEmbeddings', 'estimateBatch', 'architecture']) {
      expect(applies('model', p, { source: 'hub' }), p).toBe(false);
      expect(applies('model', p, { source: 'new' }), p).toBe(true);
    }
    expect(applies('model', 'kvHeads', { source: 'new', architecture: 'gpt2' })).toBe(false);
    expect(applies('model', 'ropeTheta', { source: 'new', architecture: 'llama' })).toBe(true);
  });

  it("Dataset from files: CSV settings for a .csv file or a folder, the field mapping for the mapped layouts", () => {
    expect(applies('dataset.file', 'csvDelimiter', { source: 'file', file: 'notes.txt' })).toBe(false);
    expect(applies('dataset.file', 'csvDelimiter', { source: 'file', file: 'DATA.CSV' })).toBe(true);
    expect(applies('dataset.file', 'csvHeader', { source: 'folder' })).toBe(true);
    expect(applies('dataset.file', 'txtRecords', { source: 'file', file: 'a.jsonl' })).toBe(false);
    expect(applies('dataset.file', 'folder', { source: 'file' })).toBe(false);
    expect(applies('dataset.file', 'textField', { layout: 'messages' })).toBe(false);
    expect(applies('dataset.file', 'textField', { layout: 'auto' })).toBe(true);
  });

  it("Generate's sampling settings do not apply to greedy decoding", () => {
    expect(applies('generate', 'topK', { temperature: 0 })).toBe(false);
    expect(applies('generate', 'topP', { temperature: 0 })).toBe(false);
    expect(applies('generate', 'topP', { temperature: 0.8 })).toBe(true);
    expect(applies('generate', 'topK', {})).toBe(true);
  });

  it('every trainer has a learning rate of its own, which applies only while no schedule is connected', () => {
    const trainers = nodeRegistry.filter((d) => 'scheduler' in d.inputs);
    expect(trainers.map((d) => d.type).sort()).toEqual(['prune', 'train.continue', 'train.dpo', 'train.pretrain', 'train.rl', 'train.rm', 'train.sft']);
    for (const d of trainers) {
      const lr = d.params.learningRate;
      expect(lr?.kind, d.type).toBe('number');
      const recovering = d.type === 'prune' ? { recoverySteps: 10 } : {};
      expect(applies(d.type, 'learningRate', recovering, []), d.type).toBe(true);
      expect(applies(d.type, 'learningRate', recovering, ['scheduler']), d.type).toBe(false);
    }
  });
});

/** Values worth trying for a param when searching for a setting that makes another apply. */
function candidates(p: ParamSpec): unknown[] {
  switch (p.kind) {
    case 'enum':
      return [...p.options];
    case 'file':
      return ['', 'x.csv', 'x.txt'];
    case 'number':
    case 'integer':
      return [0, 1];
    case 'boolean':
      return [true, false];
    default:
      return ['', 'x'];
  }
}

/** Whether some choice of up to two other params, with no inputs or all of them connected, makes the param apply. */
function everApplies(d: AnyNodeDefinition, name: string): boolean {
  const choices = Object.entries(d.params).filter(([k]) => k !== name).flatMap(([k, p]) => candidates(p).map((v) => [k, v] as const));
  const inputs = Object.keys(d.inputs);
  for (const connected of [[], inputs])
    for (const [k1, v1] of [['', undefined] as const, ...choices])
      for (const [k2, v2] of [['', undefined] as const, ...choices]) if (paramApplies(d.params, name, { [k1]: v1, [k2]: v2 }, connected)) return true;
  return false;
}

/**
 * Words a newcomer does not know. A help text (or label) that uses one must also say what it
 * means, in the same text: `explained` is what such an explanation contains.
 */
const JARGON: Array<{ term: RegExp; explained: RegExp }> = [
  { term: /\bNFKC\b/, explained: /look[- ]alike|look the same/i },
  { term: /\bembedding/i, explained: /\btable\b|numbers/i },
  { term: /chat template/i, explained: /lays? .*conversation|pattern/i },
  { term: /\bLoRA\b|\badapters?\b/, explained: /small|add-on/i },
  { term: /\bKL\b/, explained: /how far|close to where it started/i },
  { term: /\bperplexity\b/i, explained: /surprised|lower is better|perplexity (before|on)|measure/i },
  { term: /\btop-k\b/i, explained: /most likely/i },
  { term: /\bnucleus\b|\btop-p\b/i, explained: /most likely/i },
  { term: /\bshingles?\b|\bMinHash\b|\bJaccard\b/i, explained: /word sequences|share of/i },
  { term: /\bGAE\b|advantage estimation/i, explained: /guesses|rewards/i },
  { term: /\bvalue head\b/i, explained: /predict|second output|guesses/i },
  { term: /\bwarm-?up\b/i, explained: /rises|gentle|warm-up steps/i },
  { term: /\bdropout\b/i, explained: /zeroed|memoris/i },
  { term: /\bregular expression|\bregex\b/i, explained: /pattern/i },
  { term: /\bAFINN\b/, explained: /sentiment|positive|negative|scored/i },
];

describe('help texts', () => {
  const entries = nodeRegistry.flatMap((d) => Object.entries(d.params).map(([name, p]) => ({ where: `${d.type}.${name}`, p })));

  it('every setting of every node has a help text of at least a short sentence', () => {
    const missing = entries.filter(({ p }) => !p.help || p.help.trim().split(/\s+/).length < 4).map((e) => e.where);
    expect(missing).toEqual([]);
  });

  it('jargon in a help text or label is explained in the same text', () => {
    const unexplained = entries.flatMap(({ where, p }) => {
      const text = `${p.label ?? ''} ${p.help ?? ''}`;
      return JARGON.filter((j) => j.term.test(text) && !j.explained.test(text)).map((j) => `${where}: ${j.term.source}`);
    });
    expect(unexplained).toEqual([]);
  });

  it('the settings the first users asked about explain themselves in plain words', () => {
    const help = (type: string, param: string) => def(type).params[param]?.help ?? '';
    // Tied embeddings: what is shared, and why.
    expect(help('model', 'tiedEmbeddings')).toMatch(/input.*also used.*output|same table/i);
    expect(help('model', 'tiedEmbeddings')).toMatch(/smaller|saves/i);
    // Chat template: what it is for, not only its format.
    expect(help('data.chat', 'template')).toMatch(/conversation/i);
    expect(help('data.chat', 'template')).not.toMatch(/`/);
    // NFKC: what it does to text.
    for (const type of ['text.clean', 'data.clean']) expect(help(type, 'normalize')).toMatch(/"ﬁ" into "fi"/);
    // Estimate batch: that it changes nothing but a figure.
    expect(help('model', 'estimateBatch')).toMatch(/only for the memory/i);
  });
});
