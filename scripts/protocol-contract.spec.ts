import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CONTROL_ACTIONS, ErrorCode, FinishReason, INBOUND_TYPES, Stage } from '../src/protocol';
import { ASYNCAPI_FILE, assertInbound, assertOutbound, contractMessages } from '../test/support/protocol-contract';

// Lists that tsc keeps in step with src/protocol/messages.ts: a member added there and missing
// here (or the reverse) fails the type check, and the tests below compare them with the document.
const ERROR_CODES = Object.keys({
  INVALID_JSON: 1,
  INVALID_MESSAGE: 1,
  UNSUPPORTED_TYPE: 1,
  UNKNOWN_ACTION: 1,
  NO_FINAL_ASR: 1,
  EMPTY_QUESTION: 1,
  RAG_ERROR: 1,
  SERVER_ERROR: 1,
  TEXT_TOO_LONG: 1,
  RATE_LIMITED: 1,
  SERVER_BUSY: 1,
  SESSION_STORE_UNAVAILABLE: 1,
  UPSTREAM_UNAUTHORIZED: 1,
  UPSTREAM_NOT_FOUND: 1,
  UPSTREAM_RATE_LIMITED: 1,
  UPSTREAM_TIMEOUT: 1,
  UPSTREAM_UNAVAILABLE: 1,
  UPSTREAM_STREAM_INTERRUPTED: 1,
  UPSTREAM_EVENT_TOO_LARGE: 1,
  SHUTTING_DOWN: 1,
  RESUME_UNAVAILABLE: 1,
  UNKNOWN_ANSWER: 1,
  UNSUPPORTED_BY_APP: 1,
  SESSION_NOT_ALLOWED: 1,
  UNKNOWN_APP: 1,
} satisfies Record<ErrorCode, 1>);
const STAGES = Object.keys({
  listening: 1,
  paused: 1,
  waiting_for_question: 1,
  analyzing: 1,
  instant_query: 1,
  querying_rag: 1,
  interrupting: 1,
  idle: 1,
  closed: 1,
} satisfies Record<Stage, 1>);
const FINISH_REASONS = Object.keys({ complete: 1, interrupted: 1, error: 1, length: 1 } satisfies Record<FinishReason, 1>);

function schemaEnum(...path: string[]): unknown {
  let node: unknown = parse(readFileSync(ASYNCAPI_FILE, 'utf8'));
  for (const part of ['components', 'schemas', ...path]) node = (node as Record<string, unknown>)[part];
  return node;
}

describe('protocol contract (docs/asyncapi.yaml)', () => {
  const examples = contractMessages().flatMap((message) => message.examples.map((example) => ({ ...example, message })));

  it('has examples for every message', () => {
    for (const message of contractMessages()) expect(message.examples.length).toBeGreaterThan(0);
    expect(contractMessages('inbound').length + contractMessages('outbound').length).toBe(contractMessages().length);
  });

  it('names each message after its type', () => {
    for (const message of contractMessages()) expect(message.name).toBe(message.type);
  });

  it.each(examples.map((example) => [`${example.message.key} ${example.name}`, example] as const))(
    'example %s validates against its own message',
    (_name, { message, payload }) => {
      expect(message.validate(payload)).toBe(true);
      (message.direction === 'inbound' ? assertInbound : assertOutbound)(payload);
    },
  );

  it('lists what src/protocol lists', () => {
    const inbound = contractMessages('inbound').map((message) => message.type);
    expect(inbound).toEqual(expect.arrayContaining([...INBOUND_TYPES]));
    expect(schemaEnum('Control', 'properties', 'action', 'enum')).toEqual([...CONTROL_ACTIONS]);
    expect(schemaEnum('Error', 'properties', 'code', 'enum')).toEqual(ERROR_CODES);
    expect(schemaEnum('Status', 'properties', 'stage', 'enum')).toEqual(expect.arrayContaining(STAGES));
    expect(schemaEnum('Status', 'properties', 'stage', 'enum')).toHaveLength(STAGES.length);
    expect(schemaEnum('FinishReason', 'enum')).toEqual(FINISH_REASONS);
  });

  describe('accepts real server messages', () => {
    it.each([
      { type: 'ack', message: 'connected', session_id: '6f1c2d1e-8a4b-4c7e-9a51-3f2b9c0d7e12' },
      { type: 'ack', received_type: 'asr_chunk', is_final: false, session_id: 's' },
      { type: 'ack', received_type: 'asr_chunk', message: 'paused', session_id: 's' },
      { type: 'ack', received_type: 'keepalive', session_id: 's' },
      { type: 'ack', received_type: 'hello', features: [], session_id: 's' },
      { type: 'status', stage: 'listening', session_id: 's' },
      { type: 'status', stage: 'paused', note: 'transcript ignored while paused; send control resume', session_id: 's' },
      { type: 'status', stage: 'analyzing', question: '什么是 RAG？', session_id: 's' },
      { type: 'status', stage: 'analyzing', question: 'q', note: 'queued until the current answer ends', session_id: 's' },
      { type: 'status', stage: 'instant_query', question: 'q', mode: 'instant', session_id: 's' },
      { type: 'status', stage: 'querying_rag', question: 'q', answer_id: 'a-1', session_id: 's' },
      { type: 'answer', stream_index: 0, content: 'RAG', final: false, answer_id: 'a-1', session_id: 's' },
      { type: 'answer', stream_index: 1, content: '', final: false, replace: true, answer_id: 'a-1', session_id: 's' },
      { type: 'answer', stream_index: 2, content: '', final: true, finish_reason: 'interrupted', answer_id: 'a-1', session_id: 's' },
      { type: 'error', code: 'UNSUPPORTED_TYPE', message: 'Unsupported message type "x".', session_id: 's' },
      { type: 'error', code: 'INVALID_JSON', message: 'The frame is not valid JSON.' },
      {
        type: 'error',
        code: 'UPSTREAM_RATE_LIMITED',
        message: 'Dify is at its request limit; ask again in a moment.',
        retryable: true,
        upstream_status: 429,
        upstream_code: 'too_many_requests',
        session_id: 's',
      },
      { type: 'sources', session_id: 's', sources: [{ position: 1, document_name: 'rag.md', content: 'text', score: null }] },
      { type: 'usage', session_id: 's', finish_reason: 'error', duration_ms: 12.5 },
    ])('%j', (message) => {
      expect(() => assertOutbound(message)).not.toThrow();
    });
  });

  describe('accepts real client messages', () => {
    it.each([
      { type: 'asr_chunk', text: '你好' },
      { type: 'asr_chunk', text: 'what is RAG?', is_final: true, session_id: 's-1', timestamp: '2024-11-25T06:00:00Z' },
      { type: 'asr_chunk', text: 'x', speaker: 'unknown fields are ignored' },
      { type: 'asr_chunk', text: 'what is RAG?', is_final: 1 },
      { type: 'asr_chunk', text: '什么是', is_final: 0 },
      { type: 'control', action: 'pause' },
      { type: 'keepalive' },
      { type: 'hello', features: ['sources', 'some-future-feature'] },
    ])('%j', (message) => {
      expect(() => assertInbound(message)).not.toThrow();
    });
  });

  describe('rejects', () => {
    it.each([
      ['an unknown type', { type: 'thought', session_id: 's' }, /undocumented type "thought"/],
      ['a message without type', { session_id: 's' }, /without a string "type"/],
      ['a client message sent by the server', { type: 'asr_chunk', text: 'x' }, /undocumented type "asr_chunk"/],
      ['a missing required field', { type: 'answer', stream_index: 0, final: false, answer_id: 'a-1', session_id: 's' }, /content/],
      ['a missing session_id', { type: 'status', stage: 'idle' }, /session_id/],
      [
        'an undocumented field',
        { type: 'answer', stream_index: 0, content: '', final: false, answer_id: 'a-1', session_id: 's', index: 0 },
        /"index"/,
      ],
      ['a wrong stage', { type: 'status', stage: 'thinking', session_id: 's' }, /stage/],
      ['a wrong error code', { type: 'error', code: 'OOPS', message: 'm', session_id: 's' }, /code/],
      [
        'stream_index as a string',
        { type: 'answer', stream_index: '0', content: 'a', final: false, answer_id: 'a-1', session_id: 's' },
        /stream_index/,
      ],
      [
        'a final chunk without finish_reason',
        { type: 'answer', stream_index: 3, content: '', final: true, answer_id: 'a-1', session_id: 's' },
        /finish_reason/,
      ],
      [
        'finish_reason on a chunk that is not final',
        { type: 'answer', stream_index: 0, content: 'a', final: false, finish_reason: 'complete', answer_id: 'a-1', session_id: 's' },
        /finish_reason/,
      ],
      ['analyzing without its question', { type: 'status', stage: 'analyzing', session_id: 's' }, /question/],
      ['querying_rag without its answer_id', { type: 'status', stage: 'querying_rag', question: 'q', session_id: 's' }, /answer_id/],
      [
        'an answer chunk without its answer_id',
        { type: 'answer', stream_index: 0, content: 'a', final: false, session_id: 's' },
        /answer_id/,
      ],
      [
        'an ack of connect that also names a received type',
        { type: 'ack', message: 'connected', received_type: 'control', session_id: 's' },
        /received_type/,
      ],
      ['an ack of hello without features', { type: 'ack', received_type: 'hello', session_id: 's' }, /features/],
      ['an ack of asr_chunk without is_final', { type: 'ack', received_type: 'asr_chunk', session_id: 's' }, /is_final/],
      ['is_final on the ack of a control', { type: 'ack', received_type: 'control', is_final: true, session_id: 's' }, /is_final/],
      ['features on the ack of a keepalive', { type: 'ack', received_type: 'keepalive', features: [], session_id: 's' }, /features/],
      ['an unknown feature in an ack', { type: 'ack', received_type: 'hello', features: ['telemetry'], session_id: 's' }, /features/],
      ['a source without document_name', { type: 'sources', session_id: 's', sources: [{ position: 1, content: 'c' }] }, /document_name/],
      ['usage without duration_ms', { type: 'usage', session_id: 's', finish_reason: 'complete' }, /duration_ms/],
      [
        'fractional tokens',
        { type: 'usage', session_id: 's', finish_reason: 'complete', duration_ms: 1, total_tokens: 1.5 },
        /total_tokens/,
      ],
      ['not an object', 'answer', /without a string "type"/],
    ])('outbound: %s', (_case, message, reason) => {
      expect(() => assertOutbound(message)).toThrow(reason);
    });

    it.each([
      ['an unknown type', { type: 'asr_final', text: 'x' }, /undocumented type/],
      ['a server message sent by the client', { type: 'ack', session_id: 's' }, /undocumented type "ack"/],
      ['an asr_chunk without text', { type: 'asr_chunk', is_final: true }, /text/],
      ['is_final as a string', { type: 'asr_chunk', text: 'x', is_final: 'true' }, /is_final/],
      ['is_final as a number other than 0 and 1', { type: 'asr_chunk', text: 'x', is_final: 2 }, /is_final/],
      ['an empty session_id', { type: 'keepalive', session_id: '' }, /session_id/],
      ['a session_id with a control character', { type: 'keepalive', session_id: 'a\nb' }, /session_id/],
      ['an unknown control action', { type: 'control', action: 'rewind' }, /action/],
      ['features that are not a list', { type: 'hello', features: 'sources' }, /features/],
    ])('inbound: %s', (_case, message, reason) => {
      expect(() => assertInbound(message)).toThrow(reason);
    });
  });
});
