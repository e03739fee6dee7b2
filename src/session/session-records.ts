import { Injectable } from '@nestjs/common';
import { KeyedSequence } from './keyed-sequence';
import { RememberedTurn, SessionRecord, SessionStore } from './session-store';

/** How many of a session's latest answers can be rated. */
const RATEABLE_ANSWERS = 50;

/**
 * The one writer of the session record: each part asks it to keep its own field (the conversation
 * Dify named, the inputs, an `openai` app's history, and beside the record an answer's Dify message)
 * and reads the record through it. Keys are `sessionKey`s. Failures are the store's (`SessionStoreUnavailableError`).
 */
@Injectable()
export class SessionRecords {
  /** Each session's changes, one after the other. */
  private readonly updating = new KeyedSequence();

  constructor(private readonly store: SessionStore) {}

  get(key: string): Promise<SessionRecord | undefined> {
    return this.store.get(key);
  }

  keepConversation(key: string, conversationId: string): Promise<void> {
    return this.update(key, (record) => ({ ...record, conversationId }));
  }

  keepInputs(key: string, inputs: Record<string, unknown>): Promise<void> {
    return this.update(key, (record) => ({ ...record, inputs }));
  }

  /** Dify's message of an answer, for its feedback; the latest RATEABLE_ANSWERS are kept (one write, the record untouched). */
  keepMessage(key: string, answerId: string, messageId: string): Promise<void> {
    return this.store.keepMessage(key, answerId, messageId, RATEABLE_ANSWERS);
  }

  /** Dify's message of one of the session's latest answers, or undefined. */
  findMessage(key: string, answerId: string): Promise<string | undefined> {
    return this.store.findMessage(key, answerId);
  }

  /** The question/answer pairs an `openai` app's server does not keep, as `change` makes them from the stored ones. */
  keepHistory(key: string, change: (history: RememberedTurn[]) => RememberedTurn[]): Promise<void> {
    return this.update(key, (record) => ({ ...record, history: change(record.history ?? []) }));
  }

  /**
   * Saves the record as `change` makes it from the stored one. One session's changes on this
   * instance run one after the other; across instances it is read, then written, not atomic: two instances changing one
   * session at the same moment may lose one change (the session lease keeps that rare).
   */
  private update(key: string, change: (record: SessionRecord) => SessionRecord): Promise<void> {
    return this.updating.run(key, async () => this.store.save(key, change((await this.store.get(key)) ?? {})));
  }
}
