/** Text to token ids for a classification head, the same way in fine-tuning, evaluation and the playground. */
import type { TextTokenizer } from './tokenizer.ts';

/**
 * The first `context` tokens of each text (cut to 16 characters a token first, so a long e-mail is
 * not encoded whole); an empty text becomes the single token `emptyId`.
 */
export async function encodeForClassifier(tok: TextTokenizer, texts: string[], context: number, emptyId: number): Promise<Int32Array[]> {
  return (await tok.encodeBatch(texts.map((t) => t.slice(0, context * 16)))).map((x) => Int32Array.from(x.slice(0, context).length ? x.slice(0, context) : [emptyId]));
}
