/**
 * Preference pairs as token sequences, rendered as the policy sees them: a text prompt verbatim
 * followed by the response (as prompt/response records are fine-tuned); a conversation rendered
 * with the model's chat template (its generation prompt, then the response and the end-of-text).
 * Prompt and response are tokenized apart, so no token straddles the boundary between them.
 */
import { Template } from '@huggingface/jinja';
import { renderConversation } from '../chat-render.ts';
import { DEFAULT_CHAT_TEMPLATE, readChatFormat, type ChatFormat } from '../chat-template.ts';
import { EOS, type TextTokenizer } from '../tokenizer.ts';
import type { PreferenceRecord } from './preferences.ts';
import type { ChatTurn } from '../../sdk/index.ts';

/** A prompt and one response as ids; `start` is the index of the first response token. */
export interface ScoredSequence {
  ids: Int32Array;
  start: number;
}

export interface EncodedPair {
  chosen: ScoredSequence;
  rejected: ScoredSequence;
  /** DPO: the frozen reference model's summed response log-probabilities. */
  ref?: { chosen: number; rejected: number };
}

/** The chat format a model uses: the one its folder declares, else the default template with its end-of-text token. */
export function chatFormatOf(modelDir: string, tok: TextTokenizer): ChatFormat {
  return readChatFormat(modelDir) ?? { template: DEFAULT_CHAT_TEMPLATE, endOfText: tok.specials[EOS] !== undefined ? EOS : '' };
}

export interface RenderedPair {
  prompt: string;
  chosen: string;
  rejected: string;
}

/**
 * A prompt and one response as the policy sees them (and a reward model scores them): a text prompt
 * verbatim with the response after it; a conversation through the chat template, the response
 * followed by the end-of-text.
 */
export function renderResponse(prompt: string | ChatTurn[], response: string, chat: ChatFormat): { prompt: string; response: string } {
  if (typeof prompt === 'string') return { prompt, response };
  const r = renderConversation(new Template(chat.template), [...prompt, { role: 'assistant', content: response }], chat.endOfText);
  return { prompt: r.prompt, response: r.response };
}

/** The texts of a pair as the policy sees them. */
export function renderPair(r: PreferenceRecord, chat: ChatFormat): RenderedPair {
  const c = renderResponse(r.prompt, r.chosen, chat);
  return { prompt: c.prompt, chosen: c.response, rejected: renderResponse(r.prompt, r.rejected, chat).response };
}

/**
 * Joins prompt and response within `context` tokens: the response is kept (cut at its end only
 * when it alone is too long), the prompt loses its beginning.
 */
export function joinWithin(prompt: ArrayLike<number>, response: ArrayLike<number>, context: number): { seq: ScoredSequence; truncated: boolean } {
  const r = Array.from(response).slice(0, Math.max(1, context - 1));
  const keepPrompt = Math.min(prompt.length, context - r.length);
  const p = Array.from(prompt).slice(prompt.length - keepPrompt);
  return { seq: { ids: Int32Array.from([...p, ...r]), start: p.length }, truncated: p.length < prompt.length || r.length < response.length };
}

/** Pairs as token sequences within `context`; counts the pairs that had to be cut. */
export async function encodePairs(tok: TextTokenizer, records: PreferenceRecord[], chat: ChatFormat, context: number): Promise<{ pairs: EncodedPair[]; truncated: number }> {
  const rendered = records.map((r, i) => {
    try {
      return renderPair(r, chat);
    } catch (e) {
      throw new Error(`pair ${i + 1}: ${(e as Error).message}`);
    }
  });
  // The prompt starts each text (BOS where the tokenizer adds one); the responses continue it.
  const ids = await tok.encodeTexts(rendered.flatMap((r) => [r.prompt, r.chosen, r.rejected]), rendered.flatMap(() => [true, false, false]));
  let truncated = 0;
  const pairs = rendered.map((_, i) => {
    const [p, c, j] = [ids[3 * i]!, ids[3 * i + 1]!, ids[3 * i + 2]!];
    const chosen = joinWithin(p, c, context);
    const rejected = joinWithin(p, j, context);
    if (chosen.truncated || rejected.truncated) truncated++;
    return { chosen: chosen.seq, rejected: rejected.seq };
  });
  return { pairs, truncated };
}
