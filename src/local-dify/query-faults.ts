import { LocalDifyFault } from './local-dify.types';

/**
 * Faults kept for every chat request whose query contains a marker, unlike `injectFault`'s, which
 * are played once each on whatever request comes next: so one client's questions meet a broken
 * upstream while everybody else's are answered (the attack benchmark's bystander).
 */
export class QueryFaults {
  private readonly byMarker = new Map<string, LocalDifyFault>();

  set(marker: string, fault: LocalDifyFault): void {
    this.byMarker.set(marker, fault);
  }

  /** The fault of the first marker the request body's question contains (see questionOf). */
  for(body: unknown): LocalDifyFault | undefined {
    const query = questionOf(body);
    if (query === undefined) return undefined;
    for (const [marker, fault] of this.byMarker) if (query.includes(marker)) return fault;
    return undefined;
  }
}

/** The question of a chat request: Dify's `query`, RAGFlow's `question`, or the last message of an OpenAI-style `messages`. */
export function questionOf(body: unknown): string | undefined {
  const { query, question, messages } = (body ?? {}) as { query?: unknown; question?: unknown; messages?: unknown };
  const last: unknown = Array.isArray(messages) ? messages.at(-1) : undefined;
  const text = query ?? question ?? (last as { content?: unknown } | undefined)?.content;
  return typeof text === 'string' ? text : undefined;
}
