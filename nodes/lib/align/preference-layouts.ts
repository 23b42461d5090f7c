/**
 * The layouts preference files come in, normalised to `{ prompt, chosen, rejected }`:
 * - strings: `prompt`, `chosen`, `rejected` text (a file without `prompt` has the shared beginning
 *   of chosen and rejected taken as the prompt, as in Anthropic HH-RLHF);
 * - message lists: `chosen`/`rejected` as lists of {role, content} (OpenAI/TRL conversational), with
 *   the prompt either in `prompt` (text or messages) or as the turns both lists share.
 * A CSV cell may hold a message list as JSON text.
 */
import type { ChatTurn } from '../../sdk/index.ts';
import { parseConversation } from '../../dataset.file/layouts.ts';
import type { PreferenceRecord } from './preferences.ts';

export interface PreferenceFields {
  prompt: string;
  chosen: string;
  rejected: string;
}

const isList = (v: unknown) => Array.isArray(v) || (typeof v === 'string' && v.trimStart().startsWith('[') && v.trimEnd().endsWith(']'));

function asMessages(v: unknown, key: string): ChatTurn[] | { error: string } {
  const parsed = parseConversation(v, key);
  return 'error' in parsed ? parsed : parsed.messages;
}

const sameTurn = (a: ChatTurn, b: ChatTurn) => a.role === b.role && a.content === b.content;

/** Text both strings begin with, cut back to the last whitespace so no word is split. */
function sharedTextPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length || i === b.length) return a.slice(0, i);
  while (i > 0 && !/\s/.test(a[i - 1]!)) i--;
  return a.slice(0, i);
}

function responseOf(turns: ChatTurn[], key: string): string | { error: string } {
  if (turns.length !== 1 || turns[0]!.role !== 'assistant') {
    return { error: `"${key}" must end in one assistant message after the prompt; found ${turns.length ? turns.map((t) => t.role).join(', ') : 'nothing'}` };
  }
  return turns[0]!.content;
}

/** One source record as a preference pair, or what is wrong with it (naming the field). */
export function normalisePreference(fields: Record<string, unknown>, names: PreferenceFields): { record: PreferenceRecord } | { error: string } {
  const found = `fields found: ${Object.keys(fields).join(', ') || 'none'}`;
  const c = fields[names.chosen];
  const r = fields[names.rejected];
  const p = fields[names.prompt];
  if (c === undefined || c === null) return { error: `no "${names.chosen}" field; ${found}` };
  if (r === undefined || r === null) return { error: `no "${names.rejected}" field; ${found}` };
  if (isList(c) || isList(r)) {
    const cm = asMessages(c, names.chosen);
    if ('error' in cm) return cm;
    const rm = asMessages(r, names.rejected);
    if ('error' in rm) return rm;
    let prompt: ChatTurn[] = [];
    if (p !== undefined && p !== null && p !== '') {
      if (isList(p)) {
        const pm = asMessages(p, names.prompt);
        if ('error' in pm) return pm;
        prompt = pm;
      } else if (typeof p === 'string') prompt = [{ role: 'user', content: p }];
      else return { error: `field "${names.prompt}" is ${typeof p}, not text or a list of messages` };
    }
    // Turns both lists share belong to the prompt (TRL's implicit-prompt layout).
    let shared = 0;
    while (shared < cm.length - 1 && shared < rm.length - 1 && sameTurn(cm[shared]!, rm[shared]!)) shared++;
    prompt = [...prompt, ...cm.slice(0, shared)];
    const chosen = responseOf(cm.slice(shared), names.chosen);
    if (typeof chosen !== 'string') return chosen;
    const rejected = responseOf(rm.slice(shared), names.rejected);
    if (typeof rejected !== 'string') return rejected;
    if (!prompt.length) return { error: `no prompt: no "${names.prompt}" field and "${names.chosen}"/"${names.rejected}" share no turns` };
    return { record: { prompt, chosen, rejected } };
  }
  if (typeof c === 'object' || typeof r === 'object') return { error: `"${names.chosen}" and "${names.rejected}" must be text or lists of messages` };
  const chosen = String(c);
  const rejected = String(r);
  if (chosen === rejected) return { error: `"${names.chosen}" and "${names.rejected}" are the same text` };
  if (p === undefined || p === null) {
    const prompt = sharedTextPrefix(chosen, rejected);
    if (!prompt) return { error: `no "${names.prompt}" field, and "${names.chosen}" and "${names.rejected}" share no beginning to take as the prompt; ${found}` };
    return { record: { prompt, chosen: chosen.slice(prompt.length), rejected: rejected.slice(prompt.length) } };
  }
  if (typeof p === 'object') return { error: `field "${names.prompt}" is a list but "${names.chosen}" is text; give both as text or both as messages` };
  return { record: { prompt: String(p), chosen, rejected } };
}
