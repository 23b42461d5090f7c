/**
 * SentencePiece-style tokenizers (Llama 2, TinyLlama, Mistral v0.1) put "▁" before a text's first
 * word, as SentencePiece does at the start of a whole text. Chat fine-tuning tokenizes a conversation
 * piece by piece (what is learned and what is not), so every piece after the first would gain a space
 * the conversation does not have. This makes the tokenizer.json of those later pieces: the same file
 * with the prefix turned off. Null when the tokenizer adds no prefix (byte-level BPE: GPT-2, Llama 3, Qwen).
 */
type Json = Record<string, unknown>;

const isPrefixNormalizer = (n: unknown) => (n as Json | null)?.type === 'Prepend' && (n as Json).prepend === '\u2581';

function withoutPrefixNormalizer(n: unknown): { value: unknown; changed: boolean } {
  const node = n as Json | null;
  if (!node) return { value: n, changed: false };
  if (isPrefixNormalizer(node)) return { value: null, changed: true };
  if (node.type === 'Sequence' && Array.isArray(node.normalizers)) {
    const kept = node.normalizers.filter((x) => !isPrefixNormalizer(x));
    return { value: { ...node, normalizers: kept }, changed: kept.length !== node.normalizers.length };
  }
  return { value: n, changed: false };
}

function withoutMetaspacePrefix(p: unknown): { value: unknown; changed: boolean } {
  const node = p as Json | null;
  if (!node) return { value: p, changed: false };
  if (node.type === 'Metaspace' && (node.prepend_scheme !== 'never' || node.add_prefix_space === true)) {
    return { value: { ...node, prepend_scheme: 'never', ...('add_prefix_space' in node ? { add_prefix_space: false } : {}) }, changed: true };
  }
  if (node.type === 'Sequence' && Array.isArray(node.pretokenizers)) {
    const parts = node.pretokenizers.map(withoutMetaspacePrefix);
    return { value: { ...node, pretokenizers: parts.map((x) => x.value) }, changed: parts.some((x) => x.changed) };
  }
  return { value: p, changed: false };
}

/** The tokenizer.json text for pieces that continue a text, or null when it would be the same file. */
export function continuationTokenizerJson(json: Json): string | null {
  const normalizer = withoutPrefixNormalizer(json.normalizer);
  const pre = withoutMetaspacePrefix(json.pre_tokenizer);
  if (!normalizer.changed && !pre.changed) return null;
  return JSON.stringify({ ...json, normalizer: normalizer.value, pre_tokenizer: pre.value });
}
