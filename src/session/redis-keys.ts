/**
 * The names of this deployment's keys and channels in Redis, all beginning with REDIS_KEY_PREFIX.
 * Everything of one session (its record, lease, answers, announcements) carries the session's
 * hash tag `{…}`, so the scripts, transactions and pipelines that touch several of them work on a
 * Redis Cluster (one slot), and sessions spread over the cluster's nodes: no key the whole fleet
 * writes per question.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** The session's record (its Dify conversation, inputs, history). */
  session(session: string): string {
    return `${this.prefix}:session:${tag(session)}`;
  }

  /** The Dify messages of the session's latest answers (for feedback), a list beside its record. */
  messages(session: string): string {
    return `${this.session(session)}:messages`;
  }

  /** The session's lease, and the stop request for it. */
  lease(session: string): { lease: string; stop: string } {
    const base = `${this.prefix}:lease:${tag(session)}`;
    return { lease: base, stop: `${base}:stop` };
  }

  /** One answer's stream, what it is compacted into once ended, and the mark that some instance follows it. */
  answer(session: string, answerId: string): { stream: string; ended: string; watched: string } {
    const stream = `${this.prefix}:answer:${tag(session)}:${encodeURIComponent(answerId)}`;
    return { stream, ended: `${stream}:ended`, watched: `${stream}:watched` };
  }

  /** The channel a session's new answers are announced on (a sharded channel on a Cluster: it stays in the session's shard). */
  announcements(session: string): string {
    return `${this.prefix}:answers-of:${tag(session)}`;
  }

  /** Where an instance's readiness probe writes: its own key, on whichever node its tag lands. */
  ready(instance: string): string {
    return `${this.prefix}:ready:{${instance}}`;
  }
}

/** encodeURIComponent escapes braces, so a session can never end its own tag early. */
function tag(session: string): string {
  return `{${encodeURIComponent(session)}}`;
}
