import type { ExecutionContext } from '@nestjs/common';
import fc from 'fast-check';
import type { WebSocket } from 'ws';
import type { LimitsConfig } from '../config';
import type { Conversation } from '../conversation';
import type { Metrics } from '../metrics';
import { ProtocolError, wireErrors } from '../protocol';
import { AsrChunkFastPath } from './asr-chunk-fast-path';
import { Connection, Connections } from './connections';
import { AsrChunkDto } from './inbound.dto';
import type { ProtocolErrorFilter } from './protocol-error.filter';
import { ProtocolValidationPipe } from './protocol-validation.pipe';
import { RateLimit } from './rate-limit';
import { RateLimitGuard } from './rate-limit.guard';
import type { RealtimeGateway } from './realtime.gateway';

const SESSION = 'session-1';

function setUp(limits: Pick<LimitsConfig, 'rateBurst' | 'ratePerSecond'> = { rateBurst: 1_000_000, ratePerSecond: 1 }) {
  const socket = {} as WebSocket;
  const connections = new Connections();
  connections.set(socket, { conversation: { sessionId: SESSION } as Conversation } as Connection);
  const rateLimit = new RateLimit(limits as LimitsConfig, { messageRateLimited: () => undefined } as unknown as Metrics);
  const handled: AsrChunkDto[] = [];
  const replies: unknown[] = [];
  const gateway = { onAsrChunk: (_: WebSocket, chunk: AsrChunkDto) => handled.push(chunk) };
  const errors = { reply: (_: WebSocket, error: unknown) => replies.push(error) };
  const fastPath = new AsrChunkFastPath(
    gateway as unknown as RealtimeGateway,
    connections,
    rateLimit,
    errors as unknown as ProtocolErrorFilter,
  );
  const guard = new RateLimitGuard(rateLimit);
  const throughGuard = () => guard.canActivate({ switchToWs: () => ({ getClient: () => socket }) } as unknown as ExecutionContext);
  return { socket, fastPath, gateway, handled, replies, throughGuard };
}

/** What Nest's path makes of a message: the validated DTO's fields, or the validation error. */
function validated(message: Record<string, unknown>): Pick<AsrChunkDto, 'text' | 'is_final' | 'session_id'> | ProtocolError {
  try {
    const dto = new ProtocolValidationPipe().transform(message, { type: 'body', metatype: AsrChunkDto }) as AsrChunkDto;
    return { text: dto.text, is_final: dto.is_final, session_id: dto.session_id };
  } catch (error) {
    return error as ProtocolError;
  }
}

const anything = fc.oneof(fc.string(), fc.integer(), fc.constantFrom(null, true, false, SESSION), fc.object({ maxDepth: 1 }));
const asrChunkLike = fc.record(
  {
    type: fc.constant('asr_chunk'),
    text: fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('\ud800 lone', ''), anything),
    is_final: fc.oneof(fc.boolean(), fc.constantFrom(0, 1, 2, -1, 0.5, '0', '1', 'true'), anything),
    session_id: fc.oneof(fc.constantFrom(SESSION, 'another-session', '', 'a\u200bb'), anything),
    timestamp: anything,
  },
  { requiredKeys: ['type'] },
);

describe('AsrChunkFastPath', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands plain partials and finals to the gateway handler, the text made well-formed as validation does', () => {
    const { socket, fastPath, handled } = setUp();
    expect(fastPath.take(socket, { type: 'asr_chunk', text: '什么是', is_final: false })).toBe(true);
    expect(fastPath.take(socket, { type: 'asr_chunk', text: '什么是 RAG？', is_final: true, session_id: SESSION })).toBe(true);
    expect(fastPath.take(socket, { type: 'asr_chunk', text: 'x\ud800' })).toBe(true);
    // Python clients' ints, as AsrChunkDto takes them.
    expect(fastPath.take(socket, { type: 'asr_chunk', text: 'a', is_final: 0 })).toBe(true);
    expect(fastPath.take(socket, { type: 'asr_chunk', text: 'b', is_final: 1 })).toBe(true);
    expect(handled).toEqual([
      { text: '什么是', is_final: false, session_id: undefined },
      { text: '什么是 RAG？', is_final: true, session_id: SESSION },
      { text: 'x\ufffd', is_final: undefined, session_id: undefined },
      { text: 'a', is_final: false, session_id: undefined },
      { text: 'b', is_final: true, session_id: undefined },
    ]);
  });

  it.each([
    ['another field', { type: 'asr_chunk', text: 'a', is_final: false, timestamp: 1 }],
    ['a text that is no string', { type: 'asr_chunk', text: 1, is_final: false }],
    ['no text', { type: 'asr_chunk', is_final: false }],
    ['is_final not a boolean', { type: 'asr_chunk', text: 'a', is_final: 'false' }],
    ['is_final null', { type: 'asr_chunk', text: 'a', is_final: null }],
    ['is_final 2', { type: 'asr_chunk', text: 'a', is_final: 2 }],
    ['is_final "true"', { type: 'asr_chunk', text: 'a', is_final: 'true' }],
    ['a session to adopt', { type: 'asr_chunk', text: 'a', is_final: false, session_id: 'another-session' }],
    ['session_id null', { type: 'asr_chunk', text: 'a', is_final: false, session_id: null }],
    ['an invalid session_id', { type: 'asr_chunk', text: 'a', is_final: false, session_id: '' }],
  ])('leaves a chunk with %s to Nest, untouched (no token taken)', (_, message) => {
    const { socket, fastPath, handled, replies, throughGuard } = setUp({ rateBurst: 1, ratePerSecond: 1 });
    expect(fastPath.take(socket, message)).toBe(false);
    expect([handled, replies]).toEqual([[], []]);
    expect(throughGuard()).toBe(true);
  });

  it('leaves a socket without a conversation to Nest', () => {
    const { fastPath } = setUp();
    expect(fastPath.take({} as WebSocket, { type: 'asr_chunk', text: 'a', is_final: false })).toBe(false);
  });

  it('takes exactly the chunks validation passes with only their fields, is_final not null and the session’s own id, with the same values', () => {
    fc.assert(
      fc.property(asrChunkLike, (message) => {
        const { socket, fastPath, handled } = setUp();
        const nest = validated(message);
        const plain = Object.keys(message).every((key) => ['type', 'text', 'is_final', 'session_id'].includes(key));
        const ownSession = message.session_id === undefined || message.session_id === SESSION;
        const expected = !(nest instanceof ProtocolError) && plain && message.is_final !== null && ownSession;
        expect(fastPath.take(socket, message)).toBe(expected);
        if (handled.length) expect(handled[0]).toEqual(nest);
      }),
      { numRuns: 2000 },
    );
  });

  it('shares the connection’s token bucket with the guard: RATE_LIMITED, then the flooding error that closes', () => {
    const { socket, fastPath, handled, replies, throughGuard } = setUp({ rateBurst: 2, ratePerSecond: 1 });
    const partial = { type: 'asr_chunk', text: 'a', is_final: false };
    expect(throughGuard()).toBe(true);
    expect(fastPath.take(socket, partial)).toBe(true);
    expect(fastPath.take(socket, partial)).toBe(true);
    expect(fastPath.take(socket, partial)).toBe(true);
    expect(handled).toHaveLength(1);
    expect(replies).toEqual([wireErrors.rateLimited(1, 2), wireErrors.flooding()]);
    expect((replies[1] as ProtocolError).closeCode).toBe(1008);
    expect(() => throughGuard()).toThrow(wireErrors.flooding());
  });

  it('answers what the handler throws through the error filter', () => {
    const { socket, fastPath, gateway, replies } = setUp();
    gateway.onAsrChunk = () => {
      throw wireErrors.textTooLong(4000);
    };
    expect(fastPath.take(socket, { type: 'asr_chunk', text: 'a', is_final: false })).toBe(true);
    expect(replies).toEqual([wireErrors.textTooLong(4000)]);
  });
});
