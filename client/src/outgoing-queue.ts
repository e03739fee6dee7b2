import type { AsrChunk, Control, Feedback } from './protocol.types.ts';

/** What a user sends, before the session id is known: the client adds it as it writes the message. */
export type Outgoing = Omit<AsrChunk, 'session_id'> | Omit<Control, 'session_id'> | Omit<Feedback, 'session_id'>;

const isPartial = (message: Outgoing | undefined): boolean => message?.type === 'asr_chunk' && !message.is_final;

/**
 * Messages sent while there is no connection, kept in order for the next one. Bounded: past `max`
 * a message is refused. A partial transcript replaces a partial waiting last, since it is a newer
 * version of the same utterance, so speech during a reconnect does not fill the queue.
 */
export class OutgoingQueue {
  private readonly waiting: Outgoing[] = [];

  constructor(private readonly max: number) {}

  /** Keeps `message` for the next connection; false when the queue is full and it was not kept. */
  push(message: Outgoing): boolean {
    if (isPartial(message) && isPartial(this.waiting.at(-1))) {
      this.waiting[this.waiting.length - 1] = message;
      return true;
    }
    if (this.waiting.length >= this.max) return false;
    this.waiting.push(message);
    return true;
  }

  /** Every message kept, oldest first; the queue is empty afterwards. */
  drain(): Outgoing[] {
    return this.waiting.splice(0);
  }
}
