const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Keeps a model's reasoning (`<think>…</think>`, as RAGFlow and reasoning models inline it) out of
 * the answer text, however the markers are cut across pieces: the tail of a piece that may begin a
 * marker is held back until the next piece tells. `thinking` says when a reasoning span opens or closes.
 */
export class ThinkingFilter {
  private held = '';
  private inside = false;

  constructor(private readonly thinking: (state: 'started' | 'finished') => void = () => undefined) {}

  /** The answer text of the next piece (possibly empty). */
  push(piece: string): string {
    let text = this.held + piece;
    this.held = '';
    let out = '';
    for (;;) {
      const marker = this.inside ? CLOSE : OPEN;
      const at = text.indexOf(marker);
      if (at >= 0) {
        if (!this.inside) out += text.slice(0, at);
        text = text.slice(at + marker.length);
        this.inside = !this.inside;
        this.thinking(this.inside ? 'started' : 'finished');
        continue;
      }
      const keep = partialMarkerAtEnd(text, marker);
      if (!this.inside) out += text.slice(0, text.length - keep);
      this.held = text.slice(text.length - keep);
      return out;
    }
  }

  /** At the end: a held tail that never became a marker was text (reasoning never closed is dropped). */
  flush(): string {
    const rest = this.inside ? '' : this.held;
    this.held = '';
    return rest;
  }
}

/** The whole text without its reasoning spans. */
export function withoutThinking(text: string): string {
  const filter = new ThinkingFilter();
  return filter.push(text) + filter.flush();
}

/** How many characters at the end of `text` are a proper prefix of `marker`. */
function partialMarkerAtEnd(text: string, marker: string): number {
  for (let length = Math.min(marker.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(marker.slice(0, length))) return length;
  }
  return 0;
}
