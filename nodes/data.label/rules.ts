/**
 * Parsing of the label node's text params. Both return problems as messages naming the line or entry,
 * so validate() can show them next to the param before anything runs.
 */

/** `spam-1=spam, spam-2=spam` or one `key=label` per line. Keys and labels are trimmed. */
export function parseMapping(source: string): { mapping: Map<string, string>; errors: string[] } {
  const mapping = new Map<string, string>();
  const errors: string[] = [];
  for (const raw of source.split(/[,\n]/)) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const key = eq === -1 ? '' : entry.slice(0, eq).trim();
    const label = eq === -1 ? '' : entry.slice(eq + 1).trim();
    if (key === '' || label === '') {
      errors.push(`"${entry}" is not of the form value=label`);
      continue;
    }
    const previous = mapping.get(key);
    if (previous !== undefined && previous !== label) errors.push(`"${key}" is mapped to both "${previous}" and "${label}"`);
    mapping.set(key, label);
  }
  return { mapping, errors };
}

export interface KeywordRule {
  label: string;
  pattern: RegExp;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Lines like `spam: viagra|free money`: the label, then phrases separated by "|". A phrase matches as
 * whole words, ignoring case ("free" does not match "freedom"); rules are tried in order, first wins.
 * Lines starting with # are comments.
 */
export function parseKeywordRules(source: string): { rules: KeywordRule[]; errors: string[] } {
  const rules: KeywordRule[] = [];
  const errors: string[] = [];
  source.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const label = colon === -1 ? '' : line.slice(0, colon).trim();
    const phrases = colon === -1 ? [] : line.slice(colon + 1).split('|').map((p) => p.trim()).filter((p) => p !== '');
    if (label === '' || phrases.length === 0) {
      errors.push(`line ${i + 1}: expected "label: keyword|another phrase"`);
      return;
    }
    const alternatives = phrases.map((p) => p.split(/\s+/).map(escape).join('\\s+'));
    rules.push({ label, pattern: new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'iu') });
  });
  return { rules, errors };
}
