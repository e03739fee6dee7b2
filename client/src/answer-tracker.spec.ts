import fc from 'fast-check';
import { AnswerTracker } from './answer-tracker.ts';
import type { Answer } from './protocol.types.ts';

const ID = 'a-1';
let index = 0;
/** The next chunk of answer ID, numbered as a server would. */
const chunk = (content: string, extra: Partial<Answer> = {}): Answer => ({
  type: 'answer',
  stream_index: index++,
  content,
  final: false,
  answer_id: ID,
  session_id: 's-1',
  ...extra,
});
const final = (): Answer => chunk('', { final: true, finish_reason: 'complete' });

function started(question = '什么是 RAG？'): AnswerTracker {
  index = 0;
  const tracker = new AnswerTracker();
  tracker.started(ID, question);
  return tracker;
}

describe('AnswerTracker', () => {
  it('counts code points, not UTF-16 units: an emoji is one, a CJK character one', () => {
    const tracker = started();
    tracker.chunk(chunk('RAG 是'));
    tracker.chunk(chunk('👍🏽检索'));
    expect('RAG 是👍🏽检索'.length).toBe(11);
    expect(tracker.resumePoint()).toEqual({ type: 'resume', answer_id: ID, offset: 9, stream_index: 2 });
  });

  it('counts a surrogate pair split between two chunks once, as the server counts the joined text', () => {
    const tracker = started();
    const [high, low] = '😀'.split('');
    tracker.chunk(chunk(`a${high}`));
    expect(tracker.chunk(chunk(`${low}b`))?.text).toBe('a😀b');
    expect(tracker.resumePoint()?.offset).toBe(3);
  });

  it('restarts the count at a replace: its content is the whole answer so far', () => {
    const tracker = started();
    tracker.chunk(chunk('RAG 是一种'));
    const replaced = tracker.chunk(chunk('抱歉🙏', { replace: true }));
    expect(replaced).toMatchObject({ text: '抱歉🙏', delta: '抱歉🙏', replaced: true, final: false });
    expect(tracker.resumePoint()).toMatchObject({ offset: 3, stream_index: 2 });
    expect(tracker.chunk(chunk('。'))).toMatchObject({ text: '抱歉🙏。', delta: '。', replaced: false });
    expect(tracker.resumePoint()).toMatchObject({ offset: 4, stream_index: 3 });
  });

  it('updates the user with the text, what is new, the question, and at the end why it ended', () => {
    const tracker = started('年假有几天？');
    expect(tracker.chunk(chunk('十五'))).toEqual({
      answerId: ID,
      question: '年假有几天？',
      text: '十五',
      delta: '十五',
      replaced: false,
      final: false,
    });
    expect(tracker.chunk(chunk('天'))).toMatchObject({ text: '十五天', delta: '天' });
    expect(tracker.chunk(final())).toMatchObject({ text: '十五天', delta: '', final: true, finishReason: 'complete' });
    expect(tracker.resumePoint()).toBeUndefined();
  });

  it('drops a chunk it has seen (an index below the next), and anything after the final chunk', () => {
    const tracker = started();
    tracker.chunk(chunk('一'));
    tracker.chunk(chunk('二'));
    expect(tracker.chunk({ ...chunk('二'), stream_index: 1 })).toBeUndefined();
    index = 2;
    expect(tracker.chunk(chunk('三'))?.text).toBe('一二三');
    tracker.chunk(final());
    expect(tracker.chunk(chunk('四'))).toBeUndefined();
  });

  it('follows an answer whose start it did not see, and resumes it from the start before any chunk', () => {
    const tracker = started();
    expect(tracker.resumePoint()).toEqual({ type: 'resume', answer_id: ID, offset: 0, stream_index: 0 });
    expect(tracker.chunk({ ...chunk('hi'), answer_id: 'a-2' })).toMatchObject({ answerId: 'a-2', question: undefined, text: 'hi' });
    expect(tracker.resumePoint()).toMatchObject({ answer_id: 'a-2', offset: 2 });
  });

  it('ends an open answer as lost when the server cannot resume it; an ended one stays as it ended', () => {
    const tracker = started();
    tracker.chunk(chunk('RAG'));
    expect(tracker.lost()).toMatchObject({ answerId: ID, text: 'RAG', delta: '', final: true, finishReason: 'lost' });
    expect(tracker.resumePoint()).toBeUndefined();
    expect(tracker.lost()).toBeUndefined();
  });

  it('with the rest a server sends from its offset (code points of the text so far), the user has the answer exactly, wherever it was cut', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 8 }), fc.nat(), (pieces, cut) => {
        const tracker = started();
        const had = pieces.slice(0, cut % (pieces.length + 1));
        let text = '';
        for (const piece of had) text = tracker.chunk(chunk(piece))?.text ?? text;
        const answer = pieces.join('');
        const { offset } = tracker.resumePoint()!;
        // The server's rest (AnswerRecord.rest): its text from code point `offset` on.
        const rest = Array.from(answer).slice(offset).join('');
        expect(text + rest).toBe(answer);
      }),
    );
  });
});
