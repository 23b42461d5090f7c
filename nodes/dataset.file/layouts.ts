/**
 * The fine-tuning layouts people's files come in, detected from a record's keys (or a CSV header)
 * and normalised: every chat layout becomes `{ messages: [{role, content}, ...] }`, so Chat format
 * and fine-tuning see one shape. "fields" is the mapped-fields reading (text/prompt/response/label).
 */
import type { DataRecord } from '../lib/dataset.ts';
import type { ChatTurn, DatasetLayout } from '../sdk/index.ts';
import { mapFields, mappedSources, type FieldMapping } from './mapping.ts';

/** The layouts a JSONL/CSV source can have (.txt is always plain text). */
export type SourceLayout = Exclude<DatasetLayout, 'text'>;
export const LAYOUT_OPTIONS = ['auto', 'messages', 'sharegpt', 'alpaca', 'prompt-completion', 'prompt-response', 'fields'] as const;
export type LayoutParam = (typeof LAYOUT_OPTIONS)[number];

export interface LayoutOptions {
  mapping: FieldMapping;
  /** Key holding the conversation list; empty: `messages` (or `conversations` for ShareGPT). */
  messagesField: string;
  keepOtherFields: boolean;
}

/** The key a conversation list is read from. */
export function conversationKey(layout: 'messages' | 'sharegpt', options: Pick<LayoutOptions, 'messagesField'>): string {
  return options.messagesField || (layout === 'sharegpt' ? 'conversations' : 'messages');
}

/**
 * The layout of a source, from the keys of its first record (or its CSV header). Custom prompt or
 * response columns in the mapping mean the person mapped the fields themselves.
 */
export function detectLayout(fields: Record<string, unknown> | readonly string[], options: Pick<LayoutOptions, 'mapping' | 'messagesField'>): SourceLayout {
  const keys = new Set(Array.isArray(fields) ? fields : Object.keys(fields));
  const value = (k: string): unknown => (Array.isArray(fields) ? undefined : (fields as Record<string, unknown>)[k]);
  if (options.mapping.prompt !== '' || options.mapping.response !== '') return 'fields';
  const list = (k: string) => keys.has(k) && (Array.isArray(fields) || Array.isArray(value(k)) || typeof value(k) === 'string');
  const sharegptItems = (k: string) => {
    const v = value(k);
    return Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && v[0] !== null && 'from' in v[0];
  };
  if (options.messagesField && list(options.messagesField)) return sharegptItems(options.messagesField) ? 'sharegpt' : 'messages';
  if (list('messages')) return sharegptItems('messages') ? 'sharegpt' : 'messages';
  if (list('conversations')) return 'sharegpt';
  if (keys.has('instruction') && keys.has('output')) return 'alpaca';
  if (keys.has('prompt') && keys.has('completion')) return 'prompt-completion';
  if (keys.has('prompt') && keys.has('response')) return 'prompt-response';
  return 'fields';
}

/** How a source's layout is reported: mapped fields that are only a text field (and a label) are plain text. */
export function reportedLayout(layout: SourceLayout, mapping: FieldMapping): DatasetLayout {
  return layout === 'fields' && mapping.prompt === '' && mapping.response === '' && mapping.text !== '' ? 'text' : layout;
}

/** The fields (CSV columns) a layout cannot do without. */
export function requiredFields(layout: SourceLayout, options: LayoutOptions): string[] {
  const label = options.mapping.label ? [options.mapping.label] : [];
  switch (layout) {
    case 'messages':
    case 'sharegpt':
      return [conversationKey(layout, options), ...label];
    case 'alpaca':
      return ['instruction', 'output', ...label];
    case 'prompt-completion':
      return ['prompt', 'completion', ...label];
    case 'prompt-response':
      return ['prompt', 'response', ...label];
    case 'fields':
      return mappedSources(options.mapping);
  }
}

/** The keys a record has, for error messages: `fields found: a, b, c`. */
export function fieldsFound(fields: Record<string, unknown>): string {
  const keys = Object.keys(fields);
  return `fields found: ${keys.length ? keys.slice(0, 20).join(', ') + (keys.length > 20 ? `, … (${keys.length} in all)` : '') : 'none'}`;
}

const ROLES: Record<string, ChatTurn['role']> = {
  system: 'system',
  user: 'user',
  assistant: 'assistant',
  // ShareGPT
  human: 'user',
  gpt: 'assistant',
};

/** Text of a message's content: a string, or OpenAI's list of parts ({type: "text", text}). */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (Array.isArray(content) && content.every((p) => p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string')) {
    return content.map((p) => (p as { text: string }).text).join('');
  }
  return undefined;
}

/** A conversation list as turns, or what is wrong with it (naming the message and its role). */
export function parseConversation(list: unknown, key: string): { messages: ChatTurn[] } | { error: string } {
  let value = list;
  // A CSV cell holds the list as JSON text.
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { error: `field "${key}" is text, not a list of messages` };
    }
  }
  if (!Array.isArray(value)) return { error: `field "${key}" is ${value === null ? 'null' : typeof value}, not a list of messages` };
  if (value.length === 0) return { error: `"${key}" is an empty list` };
  const messages: ChatTurn[] = [];
  for (const [i, item] of value.entries()) {
    const where = `${key}[${i}]`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) return { error: `${where} is not a message object` };
    const m = item as Record<string, unknown>;
    const rawRole = m.role ?? m.from;
    if (typeof rawRole !== 'string') return { error: `${where} has no "role" (or ShareGPT "from"); ${fieldsFound(m)}` };
    const role = ROLES[rawRole.toLowerCase()];
    if (!role) return { error: `${where} has role "${rawRole}"; expected system, user or assistant (ShareGPT: system, human, gpt)` };
    const content = contentText(m.content ?? m.value);
    if (content === undefined) return { error: `${where} (${rawRole}) has no text "content" (or ShareGPT "value")` };
    messages.push({ role, content });
  }
  return { messages };
}

function text(fields: Record<string, unknown>, key: string, layout: string): { value: string } | { error: string } {
  const v = fields[key];
  if (v === undefined || v === null) return { error: `no "${key}" field (${layout} layout); ${fieldsFound(fields)}` };
  if (typeof v === 'object') return { error: `field "${key}" is ${Array.isArray(v) ? 'a list' : 'an object'}, not text` };
  return { value: String(v) };
}

/** An optional system message in single-turn layouts (`system` key, as some Alpaca files have). */
function systemTurn(fields: Record<string, unknown>): ChatTurn[] {
  const s = fields.system;
  return typeof s === 'string' && s.trim() !== '' ? [{ role: 'system', content: s }] : [];
}

/** Builds one record from a source record's fields, in the given layout. */
export function normalise(fields: Record<string, unknown>, layout: SourceLayout, options: LayoutOptions): { record: DataRecord } | { error: string } {
  if (layout === 'fields') {
    const mapped = mapFields(fields, options.mapping, options.keepOtherFields);
    return 'error' in mapped && /^missing field/.test(mapped.error) ? { error: `${mapped.error}; ${fieldsFound(fields)}` } : mapped;
  }
  let messages: ChatTurn[];
  let used: string[];
  if (layout === 'messages' || layout === 'sharegpt') {
    const key = conversationKey(layout, options);
    if (fields[key] === undefined || fields[key] === null) return { error: `no "${key}" list; ${fieldsFound(fields)}` };
    const parsed = parseConversation(fields[key], key);
    if ('error' in parsed) return parsed;
    messages = parsed.messages;
    used = [key];
  } else if (layout === 'alpaca') {
    const instruction = text(fields, 'instruction', 'Alpaca');
    if ('error' in instruction) return instruction;
    const output = text(fields, 'output', 'Alpaca');
    if ('error' in output) return output;
    const input = fields.input === undefined || fields.input === null ? '' : typeof fields.input === 'object' ? JSON.stringify(fields.input) : String(fields.input);
    const user = input.trim() === '' ? instruction.value : `${instruction.value}\n\n${input}`;
    messages = [...systemTurn(fields), { role: 'user', content: user }, { role: 'assistant', content: output.value }];
    used = ['instruction', 'input', 'output', 'system'];
  } else {
    const answerKey = layout === 'prompt-completion' ? 'completion' : 'response';
    const name = layout === 'prompt-completion' ? 'prompt/completion' : 'prompt/response';
    const prompt = text(fields, 'prompt', name);
    if ('error' in prompt) return prompt;
    const answer = text(fields, answerKey, name);
    if ('error' in answer) return answer;
    messages = [...systemTurn(fields), { role: 'user', content: prompt.value }, { role: 'assistant', content: answer.value }];
    used = ['prompt', answerKey, 'system'];
  }
  const record: DataRecord = {};
  const labelKey = options.mapping.label;
  if (options.keepOtherFields) {
    for (const [k, v] of Object.entries(fields)) if (!used.includes(k) && k !== labelKey) record[k] = v;
  }
  record.messages = messages;
  if (labelKey) {
    const label = text(fields, labelKey, 'label');
    if ('error' in label) return fields[labelKey] == null ? { error: `missing label field "${labelKey}"; ${fieldsFound(fields)}` } : label;
    record.label = label.value;
  }
  return { record };
}
