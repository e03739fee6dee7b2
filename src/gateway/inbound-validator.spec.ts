import { InboundType, ProtocolError } from '../protocol';
import { validateInbound } from './inbound-validator';

/** What validation makes of a message, or the error it answers with. */
function outcome(message: Record<string, unknown>): unknown {
  try {
    return validateInbound(message.type as InboundType, message);
  } catch (error) {
    return { code: (error as ProtocolError).code, message: (error as ProtocolError).message };
  }
}

/** What validation makes of an asr_chunk's is_final, or the error code it answers with. */
function isFinal(value: unknown): unknown {
  const result = outcome({ type: 'asr_chunk', text: 'a', is_final: value }) as { is_final?: unknown; code?: string };
  return result.code ?? result.is_final;
}

describe('validateInbound', () => {
  describe('is_final', () => {
    it('takes booleans, and 0 and 1 as Python clients of the replaced service send them', () => {
      expect([true, false, 1, 0].map(isFinal)).toEqual([true, false, true, false]);
    });

    it('coerces nothing else: strings, other numbers and objects are refused', () => {
      expect(['true', 'false', '1', '0', 2, -1, 0.5, 1.5, [], {}].map(isFinal)).toEqual(Array(10).fill('INVALID_MESSAGE'));
    });

    it('leaves an absent or null is_final absent (the gateway reads it as false)', () => {
      expect([undefined, null].map(isFinal)).toEqual([undefined, undefined]);
    });
  });

  it('passes every message type of the contract, unknown fields and null optional fields included', () => {
    for (const message of [
      { type: 'asr_chunk', text: 'hi', is_final: false, session_id: 's-1', timestamp: 1, extra: { a: 1 } },
      { type: 'control', action: 'instant_query', session_id: null },
      { type: 'keepalive' },
      { type: 'hello', features: ['sources'], inputs: { tier: 'gold' } },
      { type: 'feedback', answer_id: 'a-1', rating: null, content: null },
      { type: 'resume', session_id: 's-1', answer_id: 'a-1', offset: 0, stream_index: 3 },
    ])
      expect(outcome({ ...message })).toMatchObject({ type: message.type });
  });

  it('makes a lone surrogate half of a text U+FFFD', () => {
    expect(outcome({ type: 'asr_chunk', text: 'a\ud800' })).toMatchObject({ text: 'a\ufffd' });
  });

  it.each([
    [{ type: 'asr_chunk' }, 'text is required'],
    [{ type: 'asr_chunk', text: 42 }, 'text must be string'],
    [{ type: 'asr_chunk', text: 'hi', is_final: 'yes' }, 'is_final must be boolean or 0 or 1'],
    [{ type: 'keepalive', session_id: 12 }, 'session_id must be string'],
    [{ type: 'keepalive', session_id: '' }, 'session_id must be at least 1 characters'],
    [{ type: 'keepalive', session_id: 'x'.repeat(129) }, 'session_id must be at most 128 characters'],
    [{ type: 'keepalive', session_id: 'a\u200bb' }, 'session_id must be printable: no control or format characters, no lone surrogates'],
    [{ type: 'control' }, 'action is required'],
    [{ type: 'control', action: 7 }, 'action must be string'],
    [{ type: 'hello', features: 'sources' }, 'features must be array'],
    [{ type: 'hello', features: ['x'.repeat(65)] }, 'features[0] must be at most 64 characters'],
    [{ type: 'hello', features: Array(17).fill('usage') }, 'features must have at most 16 items'],
    [{ type: 'hello', features: [], inputs: [] }, 'inputs must be object'],
    [{ type: 'feedback', answer_id: 'a', rating: 'meh' }, 'rating must be one of: "like", "dislike", null'],
    [{ type: 'feedback', answer_id: 'a' }, 'rating is required'],
    [
      { type: 'resume', session_id: 's', answer_id: 'a', offset: -1, stream_index: 0.5 },
      'offset must be at least 0; stream_index must be integer',
    ],
  ])('refuses %j with INVALID_MESSAGE naming the field', (message, problems) => {
    expect(outcome(message)).toEqual({ code: 'INVALID_MESSAGE', message: `Invalid message: ${problems}.` });
  });

  it('answers a control action the contract does not list with UNKNOWN_ACTION', () => {
    expect(outcome({ type: 'control', action: 'rewind' })).toMatchObject({
      code: 'UNKNOWN_ACTION',
      message: expect.stringContaining('"rewind"'),
    });
    expect(outcome({ type: 'control', action: 'rewind', session_id: 5 })).toMatchObject({ code: 'INVALID_MESSAGE' });
  });

  it('refuses a reserved key anywhere in a message', () => {
    expect(outcome(JSON.parse('{"type":"hello","features":[],"inputs":{"a":{"__proto__":1}}}') as Record<string, unknown>)).toEqual({
      code: 'INVALID_MESSAGE',
      message: 'Invalid message: inputs.a.__proto__ is a reserved name: no key may be __proto__, constructor or prototype.',
    });
  });
});
