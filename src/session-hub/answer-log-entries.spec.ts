import { sessionKey } from '../session';
import { compactedEntries, decodeEntry, ENDED, HANDED_OVER, HOLE, messageFields, upstreamFields } from './answer-log-entries';
import { finalChunk } from './session-message';

const session = sessionKey('alice', 'default', 's-1');
const chunk = { type: 'answer', content: 'RAG 是', final: false, answer_id: 'a-1', session_id: 's-1' };
const roundTrip = (message: unknown, feature?: string) => decodeEntry(session, 'a-1', messageFields(session, 'a-1', { message, feature }));

describe('answer log entries', () => {
  it("keeps only an answer chunk's content and what varies, and rebuilds the message on reading", () => {
    expect(messageFields(session, 'a-1', { message: chunk })).toEqual(['c', 'RAG 是']);
    expect(roundTrip(chunk)).toEqual({ message: chunk });
    const replacing = { ...chunk, replace: true };
    expect(messageFields(session, 'a-1', { message: replacing })).toEqual(['c', 'RAG 是', 'r', '1']);
    expect(roundTrip(replacing)).toEqual({ message: replacing });
    const final = finalChunk('a-1', 's-1', 'length');
    expect(messageFields(session, 'a-1', { message: final })).toEqual(['c', '', 'z', 'length']);
    expect(roundTrip(final)).toEqual({ message: final });
  });

  it('keeps whole what it could not rebuild: other messages, other answers, unknown fields, features', () => {
    const status = { type: 'status', stage: 'idle', session_id: 's-1' };
    for (const message of [status, { ...chunk, answer_id: 'a-2' }, { ...chunk, session_id: 's-2' }, { ...chunk, extra: 1 }]) {
      expect(messageFields(session, 'a-1', { message })[0]).toBe('m');
      expect(roundTrip(message)).toEqual({ message, feature: undefined });
    }
    const sources = { type: 'sources', answer_id: 'a-1', session_id: 's-1', sources: [] };
    expect(roundTrip(sources, 'sources')).toEqual({ message: sources, feature: 'sources' });
  });

  it("reads the marks, where Dify keeps the answer, and an older instance's whole-message entries", () => {
    expect(decodeEntry(session, 'a-1', ENDED)).toBe('ended');
    expect(decodeEntry(session, 'a-1', HANDED_OVER)).toBe('handed_over');
    expect(decodeEntry(session, 'a-1', HOLE)).toBe('handed_over');
    const upstream = { conversationId: 'c', messageId: 'm', user: 'u' };
    expect(decodeEntry(session, 'a-1', upstreamFields(upstream))).toEqual({ upstream });
    expect(decodeEntry(session, 'a-1', ['m', JSON.stringify(chunk)])).toEqual({ message: chunk });
  });

  it("reads an ended answer's compacted entries back as its stream had them: ids from the first one's, a bare text as a chunk", () => {
    expect(compactedEntries('[3,"RAG 是",["c","","z","complete"],["e","1"]]')).toEqual([
      ['3-0', ['c', 'RAG 是']],
      ['4-0', ['c', '', 'z', 'complete']],
      ['5-0', ENDED],
    ]);
  });
});
