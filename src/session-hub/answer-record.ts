import { Feature } from '../protocol';
import { AnswerChunk, SessionMessage } from './session-message';

/** A message after an answer's text (its final chunk, sources, usage, an error), and who opted into it. */
interface Closing {
  message: SessionMessage;
  feature?: Feature;
}

/**
 * What a resuming client is sent of one answer: its text so far (since the last `replace`) and, once
 * it ended, the messages that closed it. Bounded: past `maxChars` the text is dropped and the answer
 * can no longer be resumed (it still streams to the connections that follow it).
 */
export class AnswerRecord {
  private content = '';
  private replaced = false;
  private overflowed = false;
  private readonly closing: Closing[] = [];

  constructor(
    readonly id: string,
    private readonly maxChars: number,
  ) {}

  get ended(): boolean {
    return this.closing.length > 0;
  }

  get resumable(): boolean {
    return !this.overflowed;
  }

  /** Takes note of a message the answer's connections were sent. */
  record(message: SessionMessage, feature?: Feature): void {
    if (message.type === 'answer' && !message.final && !this.ended) return this.text(message);
    this.closing.push({ message, feature });
  }

  /**
   * What a client that has `offset` code points of the text (counted since the last replace it saw)
   * still needs, as chunk contents: the rest, or the whole text as a replacement when it was
   * replaced (the client's count may predate that). Then the closing messages for its features.
   */
  rest(offset: number, features: readonly Feature[]): { chunk?: Pick<AnswerChunk, 'content' | 'replace'>; closing: SessionMessage[] } {
    const closing = this.closing.filter((c) => !c.feature || features.includes(c.feature)).map((c) => c.message);
    const text = this.replaced ? this.content : Array.from(this.content).slice(offset).join('');
    const chunk = text || this.replaced ? { content: text, ...(this.replaced ? { replace: true as const } : {}) } : undefined;
    return { chunk, closing };
  }

  private text(chunk: AnswerChunk): void {
    if (this.overflowed) return;
    if (chunk.replace) {
      this.content = chunk.content;
      this.replaced = true;
    } else {
      this.content += chunk.content;
    }
    if (this.content.length > this.maxChars) {
      this.overflowed = true;
      this.content = '';
    }
  }
}
