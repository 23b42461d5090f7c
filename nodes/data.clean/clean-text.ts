export type Normalization = 'NFC' | 'NFKC' | 'none';
export type Whitespace = 'tidy' | 'single-line' | 'none';

export interface CleanOptions {
  normalize: Normalization;
  whitespace: Whitespace;
  lowercase: boolean;
}

/**
 * Cleans one text field. "tidy" keeps line structure (trims lines, collapses runs of spaces and tabs,
 * at most one blank line between paragraphs); "single-line" makes every whitespace run one space.
 */
export function cleanText(text: string, options: CleanOptions): string {
  let s = options.normalize === 'none' ? text : text.normalize(options.normalize);
  if (options.lowercase) s = s.toLowerCase();
  if (options.whitespace === 'tidy') {
    s = s
      .replace(/\r\n?/g, '\n')
      .replace(/[^\S\n]+/g, ' ')
      .replace(/ ?\n ?/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  } else if (options.whitespace === 'single-line') {
    s = s.replace(/\s+/g, ' ').trim();
  }
  return s;
}
