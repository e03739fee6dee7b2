import { EMPTY, Subject } from 'rxjs';
import { LocalAnswerLog } from '../session';
import { AnswerEvent } from './answer.service';
import { ConversationMessage } from './message-sink';
import { RoomMember, SessionRoom } from './session-room';

function member(): RoomMember & { got: ConversationMessage[] } {
  const got: ConversationMessage[] = [];
  return { got, features: () => [], send: (m) => got.push(m), continueAt: () => undefined, idle: () => undefined };
}

describe('SessionRoom', () => {
  it('resumes an ended answer without a stray idle while a newer answer of the session streams', async () => {
    const answers: Array<Subject<AnswerEvent>> = [];
    const room = new SessionRoom(
      'p',
      's',
      {
        answer: () => (answers.push(new Subject<AnswerEvent>()), answers.at(-1)!),
        turn: { bargeIn: 'interrupt', maxQuestionChars: 500 },
        now: Date.now,
      },
      new LocalAnswerLog(),
      () => EMPTY,
      { graceMs: 0, maxLogChars: 1000 },
      () => undefined,
    );
    const asker = member();
    room.join(asker);
    room.answering.heard('first?');
    const first = room.answering.current!;
    answers[0].next({ text: 'one', replace: false });
    answers[0].complete();
    room.answering.heard('second?');
    answers[1].next({ text: 'two', replace: false });

    const late = member();
    room.join(late);
    expect(await room.resume(late, first, 1, 1)).toBe(true);
    expect(late.got.filter((m) => m.type === 'answer' && m.answer_id === first).map((m) => (m.type === 'answer' ? m.content : ''))).toEqual(
      ['ne', ''],
    );
    expect(late.got.some((m) => m.type === 'status' && m.stage === 'idle')).toBe(false);
    answers[1].complete();
    expect(late.got.at(-1)).toMatchObject({ type: 'status', stage: 'idle' });
  });
});
