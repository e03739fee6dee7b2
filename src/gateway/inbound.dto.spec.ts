import { ProtocolError } from '../protocol';
import { AsrChunkDto } from './inbound.dto';
import { ProtocolValidationPipe } from './protocol-validation.pipe';

/** What Nest's validation makes of an asr_chunk's is_final, or the error code it answers with. */
function isFinal(value: unknown): unknown {
  try {
    const dto = new ProtocolValidationPipe().transform(
      { type: 'asr_chunk', text: 'a', is_final: value },
      { type: 'body', metatype: AsrChunkDto },
    );
    return (dto as AsrChunkDto).is_final;
  } catch (error) {
    return (error as ProtocolError).code;
  }
}

describe('AsrChunkDto is_final', () => {
  it('takes booleans, and 0 and 1 as Python clients of the replaced service send them', () => {
    expect([true, false, 1, 0].map(isFinal)).toEqual([true, false, true, false]);
  });

  it('coerces nothing else: strings, other numbers and objects are refused', () => {
    expect(['true', 'false', '1', '0', 2, -1, 0.5, 1.5, [], {}].map(isFinal)).toEqual(Array(10).fill('INVALID_MESSAGE'));
  });

  it('leaves an absent or null is_final as it was (absent: the gateway reads it as false)', () => {
    expect([undefined, null].map(isFinal)).toEqual([undefined, null]);
  });
});
