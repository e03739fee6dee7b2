import { randomUUID } from 'node:crypto';
import { AgentThought } from './reply-events';
import { RetrieverResource } from './retriever-resources';

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
  sources: RetrieverResource[];
  thoughts: AgentThought[];
  /** Unset while generating: then what Dify saves at the end (a stopped message's partial answer), or a failure's text. */
  saved?: { answer: string; latency: number } | { error: string };
  /** The end user's rating, until revoked. */
  feedback?: StoredFeedback;
}

export interface StoredFeedback {
  id: string;
  rating: 'like' | 'dislike';
  content: string | null;
  /** Unix seconds. */
  createdAt: number;
  updatedAt: number;
}

export interface StoredConversation {
  id: string;
  user: string;
  /** 'New conversation' until named: by the first message (`auto_generate_name`) or a rename. */
  name: string;
  /** Unix seconds; `updatedAt` moves with each message and rename. */
  createdAt: number;
  updatedAt: number;
  /** Creation order, to sort conversations created in the same second. */
  sequence: number;
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
  private created = 0;

  constructor(private readonly limits = { conversations: MAX_CONVERSATIONS, messagesPerConversation: MAX_MESSAGES_PER_CONVERSATION }) {}

  create(user: string): StoredConversation {
    const now = unixSeconds();
    const conversation: StoredConversation = {
      id: randomUUID(),
      user,
      name: 'New conversation',
      createdAt: now,
      updatedAt: now,
      sequence: this.created++,
      messages: [],
    };
    this.touch(conversation);
    return conversation;
  }

  /** The conversation if it exists and is this user's. */
  owned(id: string, user: string): StoredConversation | undefined {
    const conversation = this.conversations.get(id);
    return conversation?.user === user ? conversation : undefined;
  }

  addMessage(conversation: StoredConversation, message: StoredMessage): void {
    conversation.messages.push(message);
    conversation.messages.splice(0, conversation.messages.length - this.limits.messagesPerConversation);
    this.touch(conversation);
  }

  rename(conversation: StoredConversation, name: string): void {
    conversation.name = name;
    this.touch(conversation);
  }

  /** This user's conversations, most recently updated first (Dify's default order). */
  listFor(user: string): StoredConversation[] {
    return this.all().filter((c) => c.user === user);
  }

  /** A message of one of this user's conversations. */
  message(id: string, user: string): StoredMessage | undefined {
    for (const conversation of this.listFor(user)) {
      const message = conversation.messages.find((m) => m.id === id);
      if (message) return message;
    }
    return undefined;
  }

  /** Every user's conversations, most recently updated first. */
  all(): StoredConversation[] {
    return [...this.conversations.values()].reverse();
  }

  delete(id: string): void {
    this.conversations.delete(id);
  }

  clear(): void {
    this.conversations.clear();
  }

  /** Marks the conversation updated now: last in the map's order. */
  private touch(conversation: StoredConversation): void {
    conversation.updatedAt = unixSeconds();
    this.conversations.delete(conversation.id);
    this.conversations.set(conversation.id, conversation);
    for (const id of this.conversations.keys()) {
      if (this.conversations.size <= this.limits.conversations) break;
      this.conversations.delete(id);
    }
  }
}

/** A conversation's name from its first question (Dify has a model write one; it cuts names at 75 characters too). */
export function titleFor(query: string): string {
  const line = query.trim().split('\n')[0];
  return Array.from(line).length > 75 ? `${Array.from(line).slice(0, 75).join('')}...` : line;
}

export function unixSeconds(ms = Date.now()): number {
  return Math.floor(ms / 1000);
}
