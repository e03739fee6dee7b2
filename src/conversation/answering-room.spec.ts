import { EMPTY, Subject } from 'rxjs';
import { Feature } from '../protocol';
import { InMemoryAnswerLog, RoomMember, SessionMessage, SessionRoom } from '../session-hub';
import { Answering, AnsweringDeps } from './answering';
import { AnswerEvent } from './answer-event';

function member(features: Feature[] = []): RoomMember & { got: SessionMessage[] } {
  const got: SessionMessage[] = [];
  return { got, features: () => features, receive: (m) => got.push(m), holdUntil: () => undefined };
}

/** A session's room with its Answering, whose answers are Subjects the test drives. */
function roomWithAnswers(deps: Partial<AnsweringDeps> = {}): { room: SessionRoom<Answering>; answers: Array<Subject<AnswerEvent>> } {
  const answers: Array<Subject<AnswerEvent>> = [];
  const answering: AnsweringDeps = {
    answer: () => (answers.push(new Subject<AnswerEvent>()), answers.at(-1)!),
    turn: { bargeIn: 'interrupt', maxQuestionChars: 500 },
    now: Date.now,
    ...deps,
  };
  const room = new SessionRoom(
    'p',
    'hr',
    's',
    (outlet) => new Answering(answering, outlet),
    new InMemoryAnswerLog(),
    { savedAnswer: () => EMPTY },
    { graceMs: 0, maxLogChars: 1000 },
    () => undefined,
  );
  return { room, answers };
}

const contents = (got: SessionMessage[], answerId: string) =>
  got.filter((m) => m.type === 'answer' && m.answer_id === answerId).map((m) => (m.type === 'answer' ? m.content : ''));

describe('SessionRoom with its Answering', () => {
  it('resumes an ended answer without a stray idle while a newer answer of the session streams', async () => {
    const { room, answers } = roomWithAnswers();
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
    expect(await room.resume(late, first, 1)).toBe(true);
    expect(contents(late.got, first)).toEqual(['ne', '']);
    expect(late.got.some((m) => m.type === 'status' && m.stage === 'idle')).toBe(false);
    answers[1].complete();
    expect(late.got.at(-1)).toMatchObject({ type: 'status', stage: 'idle' });
  });

  it('shows a connection that joins mid-answer the answer from its start: its querying_rag, the text so far, then the live chunks', () => {
    const { room, answers } = roomWithAnswers();
    room.join(member());
    room.answering.heard('什么是 RAG？');
    const answerId = room.answering.current!;
    answers[0].next({ text: 'RAG 是', replace: false });
    answers[0].next({ text: '检索', replace: false });

    const late = member();
    room.join(late);
    room.catchUp(late);
    answers[0].next({ text: '增强', replace: false });
    answers[0].complete();
    expect(late.got[0]).toMatchObject({ type: 'status', stage: 'querying_rag', answer_id: answerId, question: '什么是 RAG？' });
    expect(contents(late.got, answerId)).toEqual(['RAG 是检索', '增强', '']);
    expect(late.got.at(-1)).toMatchObject({ type: 'status', stage: 'idle' });
  });

  it('shows a connection that joins between answers nothing of the last one', () => {
    const { room, answers } = roomWithAnswers();
    room.join(member());
    room.answering.heard('What is Dify?');
    answers[0].next({ text: 'Dify is', replace: false });
    answers[0].complete();

    const late = member();
    room.join(late);
    room.catchUp(late);
    expect(late.got).toEqual([]);
  });

  it('sends steps and audio live to the connections that opted in, and keeps them out of what a resume replays', async () => {
    const { room, answers } = roomWithAnswers();
    const watching = member(['progress', 'tts']);
    const plain = member();
    room.join(watching);
    room.join(plain);
    room.answering.heard('what is RAG?');
    const answerId = room.answering.current!;
    answers[0].next({ step: { type: 'knowledge-retrieval', name: 'Handbook', state: 'started' } });
    answers[0].next({ text: 'RAG is', replace: false });
    answers[0].next({ audio: 'SUQz', last: false });
    answers[0].next({ audio: '', last: true });
    expect(watching.got.filter((m) => m.type === 'progress' || m.type === 'audio')).toEqual([
      { type: 'progress', answer_id: answerId, step: 'knowledge-retrieval', name: 'Handbook', state: 'started', session_id: 's' },
      { type: 'audio', answer_id: answerId, audio: 'SUQz', format: 'mp3', final: false, session_id: 's' },
      { type: 'audio', answer_id: answerId, audio: '', format: 'mp3', final: true, session_id: 's' },
    ]);
    expect(plain.got.some((m) => m.type === 'progress' || m.type === 'audio')).toBe(false);

    const resumed = member(['progress', 'tts']);
    room.join(resumed);
    expect(await room.resume(resumed, answerId, 0)).toBe(true);
    expect(resumed.got).toEqual([{ type: 'answer', content: 'RAG is', final: false, answer_id: answerId, session_id: 's' }]);
  });

  it('asks Dify for follow-up questions after a complete answer only when a connection wants them', async () => {
    const suggest = jest.fn(() => Promise.resolve(['年假可以跨年吗？']));
    const { room, answers } = roomWithAnswers({ suggest });
    const plain = member();
    room.join(plain);
    room.answering.heard('first?');
    answers[0].next({ end: true, messageId: 'm-1', sources: [] });
    answers[0].complete();
    expect(suggest).not.toHaveBeenCalled();

    const curious = member(['suggested']);
    room.join(curious);
    room.answering.heard('second?');
    const answerId = room.answering.current!;
    answers[1].next({ end: true, messageId: 'm-2', sources: [] });
    answers[1].complete();
    expect(suggest).toHaveBeenCalledWith('m-2', 'p', 'hr', 's');
    await Promise.resolve();
    expect(curious.got.at(-1)).toEqual({ type: 'suggested', answer_id: answerId, questions: ['年假可以跨年吗？'], session_id: 's' });
    expect(plain.got.some((m) => m.type === 'suggested')).toBe(false);
  });
});
