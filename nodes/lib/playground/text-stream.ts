/**
 * Turns generated token ids into text deltas that are safe to show: only whole characters (a
 * byte-level token can end inside a UTF-8 sequence) and nothing that may turn out to be the start
 * of a stop string. It decodes all ids each time rather than piece by piece, since some decoders
 * (Metaspace, for one) treat the first token of a sequence differently.
 */
export class TextStream {
  private readonly ids: number[] = [];
  private sent = '';

  /**
   * `holdAfter`: tokens after which nothing is sent yet. Byte-fallback decoders (Llama 2's) decode a
   * run of byte tokens together and turn the whole run into U+FFFD when it is not valid UTF-8, so
   * text already decoded from a run can change until the run ends.
   */
  constructor(
    private readonly decode: (ids: number[]) => Promise<string>,
    private readonly stops: readonly string[],
    private readonly holdAfter: (id: number) => boolean = () => false,
  ) {}

  /** Adds a token; returns the text that may be shown now, and whether a stop string was reached. */
  async push(id: number): Promise<{ delta: string; stopped: boolean }> {
    this.ids.push(id);
    if (this.holdAfter(id)) return { delta: '', stopped: false };
    return this.emit(false);
  }

  /** At the end (or on cancel): everything not yet sent, up to a stop string. */
  async finish(): Promise<string> {
    return (await this.emit(true)).delta;
  }

  get text(): string {
    return this.sent;
  }

  private async emit(final: boolean): Promise<{ delta: string; stopped: boolean }> {
    let text = await this.decode(this.ids);
    const hits = this.stops.map((x) => text.indexOf(x)).filter((i) => i >= 0);
    const stopAt = hits.length ? Math.min(...hits) : -1;
    if (stopAt >= 0) text = text.slice(0, stopAt);
    else if (!final) {
      text = text.replace(/\uFFFD+$/, '');
      // Hold back a tail that a stop string may begin with: it is sent once the next tokens decide.
      let hold = 0;
      for (const x of this.stops) for (let k = Math.min(x.length - 1, text.length); k > hold; k--) if (text.endsWith(x.slice(0, k))) hold = k;
      text = text.slice(0, text.length - hold);
    }
    let delta = '';
    if (text.length > this.sent.length && text.startsWith(this.sent)) {
      delta = text.slice(this.sent.length);
      this.sent = text;
    }
    return { delta, stopped: stopAt >= 0 };
  }
}
