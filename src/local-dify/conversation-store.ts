import { randomUUID } from 'node:crypto';
import { Hit } from './knowledge-base';
import { AgentThought } from './reply-events';

/** Conversation and message ids, and any id a client names. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Conversations kept; past it the least recently active one is dropped (its id then gets 404). */
const MAX_CONVERSATIONS = 256;
/** Messages kept per conversation; past it the oldest is dropped. */
const MAX_MESSAGES_PER_CONVERSATION = 32;

/** A message as Dify stores it: created when generation starts, its answer saved when generation ends. */
export interface StoredMessage {
  id: string;
  conversationId: string;
  query: string;
  /** Unix seconds, the same as in its stream's events. */
  createdAt: number;
  /** The sources retrieved before generation; listed once the answer is saved. */
  hits: Hit[];
  thoughts: AgentThought[];
  /** Unset while generating: then what Dify saves at the end (a stopped message's partial answer), or a failure's text. */
  saved?: { answer: string; latency: number } | { error: string };
}

export interface StoredConversation {
  id: string;
  user: string;
  createdAt: number;
  /** Oldest first. */
  messages: StoredMessage[];
}

/**
 * The conversations and messages the server remembers, in memory and bounded (`MAX_CONVERSATIONS`,
 * `MAX_MESSAGES_PER_CONVERSATION`, oldest dropped), so a server that runs for days stays small.
 * A conversation belongs to the user that created it: to anyone else it does not exist.
 */
export class ConversationStore {
  /** In order of activity, least recent first. */
  private readonly conversations = new Map<string, StoredConversation>();

  constructor(private readonly limits = { conversations: MAX_CONVERSATIONS, messagesPerConversation: MAX_MESSAGES_PER_CONVERSATION }) {}

  create(user: string): StoredConversation {
    const conversation: StoredConversation = { id: randomUUID(), user, createdAt: unixSeconds(), messages: [] };
    this.touch(conversation);
    return conversation;
  }

  /** The conversation if it exists and is this user's. */
  owned(id: string, user: string | null): StoredConversation | undefined {
    const conversation = this.conversations.get(id);
    return conversation?.user === user ? conversation : undefined;
  }

  addMessage(conversation: StoredConversation, message: StoredMessage): void {
    conversation.messages.push(message);
    conversation.messages.splice(0, conversation.messages.length - this.limits.messagesPerConversation);
    this.touch(conversation);
  }

  /** This user's conversations, most recently updated first (Dify's default order). */
  listFor(user: string | null): StoredConversation[] {
    return [...this.conversations.values()].filter((c) => c.user === user).reverse();
  }

  delete(id: string): void {
    this.conversations.delete(id);
  }

  clear(): void {
    this.conversations.clear();
  }

  private touch(conversation: StoredConversation): void {
    this.conversations.delete(conversation.id);
    this.conversations.set(conversation.id, conversation);
    for (const id of this.conversations.keys()) {
      if (this.conversations.size <= this.limits.conversations) break;
      this.conversations.delete(id);
    }
  }
}

export function unixSeconds(ms = Date.now()): number {
  return Math.floor(ms / 1000);
}
