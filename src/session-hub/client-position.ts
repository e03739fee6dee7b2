/**
 * How much of an answer a resuming client holds, so it is sent only what it lacks. The log another
 * instance reads may lag what the client was sent (the owner writes to the socket before Redis has
 * the entry), so the text the log shows is counted and skipped up to the client's offset.
 */
export class ClientPosition {
  /** Code points of the answer's text the log has shown so far (since its last replace). */
  private shown = 0;

  constructor(
    /** Code points the client holds (since the last replace it saw). */
    private held: number,
  ) {}

  /** The part of a logged text chunk the client lacks (undefined when it has it all). */
  lacks(content: string, replace: boolean): string | undefined {
    const points = Array.from(content);
    if (replace) {
      this.shown = this.held = points.length;
      return content;
    }
    const from = Math.max(0, this.held - this.shown);
    this.shown += points.length;
    if (from >= points.length) return undefined;
    this.held = this.shown;
    return points.slice(from).join('');
  }

  /** What the client lacks of the answer as Dify saved it (its instance died). */
  rest(full: string): string | undefined {
    const points = Array.from(full);
    return points.length > this.held ? points.slice(this.held).join('') : undefined;
  }
}
