import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalDifyFault } from './local-dify.types';

/** An answer that never ends: a `message` event of `pieceChars` characters every `everyMs`, until the client goes. */
export type EndlessAnswer = { kind: 'endless-answer'; pieceChars: number; everyMs: number };

/** What `injectQueryFault` plays: one of the request faults, or an endless answer. */
export type QueryFault = LocalDifyFault | EndlessAnswer;

/**
 * Faults kept for every chat request whose query contains a marker, unlike `injectFault`'s, which
 * are played once each on whatever request comes next: so one client's questions meet a broken
 * upstream while everybody else's are answered (the attack benchmark's bystander).
 */
export class QueryFaults {
  private readonly byMarker = new Map<string, QueryFault>();

  set(marker: string, fault: QueryFault): void {
    this.byMarker.set(marker, fault);
  }

  /** The fault of the first marker the request body's `query` contains. */
  for(body: unknown): QueryFault | undefined {
    const query = (body as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string') return undefined;
    for (const [marker, fault] of this.byMarker) if (query.includes(marker)) return fault;
    return undefined;
  }
}

/** Streams an endless answer as Dify's `message` events (no message is created), waiting while the client does not read. */
export async function streamEndlessAnswer(res: ServerResponse, fault: EndlessAnswer): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  const [id, taskId, conversationId] = [randomUUID(), randomUUID(), randomUUID()];
  const event = {
    event: 'message',
    conversation_id: conversationId,
    message_id: id,
    created_at: Math.floor(Date.now() / 1000),
    task_id: taskId,
    id,
    answer: 'and so on '.repeat(Math.ceil(fault.pieceChars / 10)).slice(0, fault.pieceChars),
  };
  const frame = Buffer.from(`data: ${JSON.stringify(event)}\n\n`);
  while (!res.destroyed && !res.writableEnded) {
    if (!res.write(frame)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    await sleep(fault.everyMs);
  }
}
