import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { Connections } from './connections';
import { AsrChunkDto, isFinalOf } from './inbound.dto';
import { ProtocolErrorFilter } from './protocol-error.filter';
import { RateLimit } from './rate-limit';
import { RealtimeGateway } from './realtime.gateway';

/** The fields of an asr_chunk (AsrChunkDto's and `type`): a frame with any other goes through Nest. */
const FIELDS: ReadonlySet<string> = new Set(['type', 'text', 'is_final', 'session_id']);

/**
 * asr_chunk frames, by far the most frequent message (a speaker's ASR sends 5–20 partials a second),
 * straight to the gateway's handler: the same rate limit, the same handler, the same error replies
 * as through Nest, without Nest's per-message chain of guard, pipe and filter promises and without
 * class-transformer and class-validator (most of a partial's cost: npm run bench -- --profile).
 *
 * Only a frame that validation would pass unchanged takes it: nothing but AsrChunkDto's fields, a
 * string text, is_final a boolean, 0 or 1 (as AsrChunkDto takes it) or absent, and session_id absent or the conversation's own (which
 * passed the same validation when it was adopted, or is the server's UUID). Anything else, a
 * session to adopt included, goes through Nest, whose validation and handler answer it as ever.
 */
@Injectable()
export class AsrChunkFastPath {
  constructor(
    private readonly gateway: RealtimeGateway,
    private readonly connections: Connections,
    private readonly rateLimit: RateLimit,
    private readonly errors: ProtocolErrorFilter,
  ) {}

  /** Handles a parsed asr_chunk frame from `socket`; false leaves it to Nest. */
  take(socket: WebSocket, message: Record<string, unknown>): boolean {
    const connection = this.connections.get(socket);
    const chunk = connection && plainChunk(message, connection.conversation.sessionId);
    if (!chunk) return false;
    // Nest's order: the guard, then (validation passing) the handler; either may throw.
    try {
      this.rateLimit.admit(socket);
      this.gateway.onAsrChunk(socket, chunk);
    } catch (error) {
      this.errors.reply(socket, error);
    }
    return true;
  }
}

/** The DTO ProtocolValidationPipe would make of `message`, if it would pass it unchanged but for the transforms of text and is_final. */
function plainChunk(message: Record<string, unknown>, sessionId: string): AsrChunkDto | undefined {
  const { text, session_id } = message;
  const is_final = isFinalOf(message.is_final);
  if (typeof text !== 'string') return undefined;
  if (is_final !== undefined && typeof is_final !== 'boolean') return undefined;
  if (session_id !== undefined && session_id !== sessionId) return undefined;
  for (const key of Object.keys(message)) if (!FIELDS.has(key)) return undefined;
  // AsrChunkDto's transforms of the text and is_final.
  return { text: text.toWellFormed(), is_final, session_id };
}
