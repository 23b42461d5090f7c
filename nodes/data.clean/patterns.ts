/** Drop patterns: one regular expression per line; blank lines are ignored. */
export function parsePatterns(source: string, ignoreCase: boolean): { patterns: RegExp[]; errors: string[] } {
  const patterns: RegExp[] = [];
  const errors: string[] = [];
  source.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    try {
      patterns.push(new RegExp(line, ignoreCase ? 'iu' : 'u'));
    } catch (e) {
      errors.push(`line ${i + 1}: ${(e as Error).message}`);
    }
  });
  return { patterns, errors };
}
