import { EMPTY, Observable, Subject } from 'rxjs';
import { DifyError } from '../dify';
import { ProtocolError } from '../protocol';
import { ConversationMessage } from './message-sink';
import { AnswerEnd, AnswerEvent } from './answer-event';
import { TurnConfig } from '../config';
import { Conversation } from './conversation';
import { ConversationDeps } from './conversation.types';
import { Answering, AnsweringDeps } from './answering';
import { InMemoryAnswerLog, SessionRoom } from '../session-hub';

/** Rooms as SessionRooms makes them, answering with `answer`; no grace, so a client that goes stops its answer. */
function roomsFor(answer: AnsweringDeps['answer'], turn: TurnConfig, now = Date.now): ConversationDeps['rooms'] {
  const rooms = new Map<string, SessionRoom<Answering>>();
  return {
    room(principal, app, sessionId) {
      const key = `${principal}/${app}/${sessionId}`;
      if (!rooms.has(key))
        rooms.set(
          key,
          new SessionRoom(
            principal,
            app,
            sessionId,
            (outlet) => new Answering({ answer, turn, now }, outlet),
            new InMemoryAnswerLog(),
            { savedAnswer: () => EMPTY },
            { graceMs: 0, maxLogChars: 1_000_000 },
            () => undefined,
          ),
        );
      return rooms.get(key)!;
    },
  };
}

/** Today's fixed waits, at 0 unless a test sets them (the adaptive policy has its own tests below). */
const TURN: TurnConfig = {
  threshold: 0.5,
  policy: 'fixed',
  waitMs: 0,
  punctuatedWaitMs: 0,
  sureWaitMs: 0,
  unsureWaitMs: 0,
  bargeIn: 'interrupt',
  stopMode: 'close',
  maxQuestionChars: 500,
};
/** A question scores 0.9 with a question mark, 0.7 without; anything else 0. */
const looksLikeQuestion = (text: string) => {
  const isQuestion = /[?？]$|什么|what|几天/i.test(text);
  return {
    isQuestion,
    unfinished: /^关于|the$/.test(text),
    backchannel: /^(嗯|ok)$/.test(text),
    score: isQuestion ? (/[?？]$/.test(text) ? 0.9 : 0.7) : 0,
  };
};

/** A conversation whose answers come from Subjects the test drives, and whose output it records. */
function setUp(turn: Partial<TurnConfig> = {}, now?: () => number, detect = looksLikeQuestion) {
  const out: ConversationMessage[] = [];
  let completed = false;
  let endedWith: ProtocolError | undefined;
  const asked: Array<{ question: string; principal: string; sessionId: string; cancelled: boolean; answer: Subject<AnswerEvent> }> = [];
  const answer: AnsweringDeps['answer'] = (question, principal, _app, sessionId) =>
    new Observable<AnswerEvent>((subscriber) => {
      const call = { question, principal, sessionId, cancelled: false, answer: new Subject<AnswerEvent>() };
      asked.push(call);
      let finished = false;
      const inner = call.answer.subscribe({
        next: (piece) => subscriber.next(piece),
        error: (error) => ((finished = true), subscriber.error(error)),
        complete: () => ((finished = true), subscriber.complete()),
      });
      return () => {
        call.cancelled = !finished;
        inner.unsubscribe();
      };
    });
  const conversation = new Conversation(
    { detect, turn: { ...TURN, ...turn }, stopMode: turn.stopMode, now, rooms: roomsFor(answer, { ...TURN, ...turn }, now) },
    'alice',
    'hr',
    'server-made',
    {
      send: (m) => out.push(m),
      continueAt: () => undefined,
      holdUntil: () => undefined,
      end: (reason) => ((completed = true), (endedWith = reason)),
    },
  );
  conversation.greet();
  out.length = 0;
  const kinds = () => out.map((m) => (m.type === 'status' ? `status:${m.stage}` : m.type === 'error' ? `error:${m.code}` : m.type));
  return { conversation, asked, out, kinds, isCompleted: () => completed, endedWith: () => endedWith };
}

const final = (text: string, sessionId?: string) => ({ text, isFinal: true, sessionId });

describe('Conversation', () => {
  it('greets with ack{connected} then status{listening}', () => {
    const out: ConversationMessage[] = [];
    const sink = {
      send: (m: ConversationMessage) => out.push(m),
      continueAt: () => undefined,
      holdUntil: () => undefined,
      end: () => undefined,
    };
    const conversation = new Conversation(
      { detect: looksLikeQuestion, rooms: roomsFor(() => new Subject(), TURN), turn: TURN },
      'p',
      'hr',
      's-1',
      sink,
    );
    conversation.greet();
    expect(out).toEqual([
      { type: 'ack', message: 'connected', session_id: 's-1' },
      { type: 'status', stage: 'listening', session_id: 's-1' },
    ]);
  });

  it('acknowledges partials and never asks about them', () => {
    const { conversation, asked, out } = setUp();
    conversation.asrChunk({ text: '什么是', isFinal: false });
    conversation.asrChunk({ text: '什么是 RAG？', isFinal: false });
    expect(asked).toHaveLength(0);
    expect(out).toEqual([
      { type: 'ack', received_type: 'asr_chunk', is_final: false, session_id: 'server-made' },
      { type: 'ack', received_type: 'asr_chunk', is_final: false, session_id: 'server-made' },
    ]);
  });

  it('waits for a question when a final utterance is not one', () => {
    const { conversation, asked, kinds } = setUp();
    conversation.asrChunk(final('今天天气不错'));
    expect(asked).toHaveLength(0);
    expect(kinds()).toEqual(['ack', 'status:waiting_for_question']);
  });

  it('answers a question: analyzing, querying_rag, the chunks as they come, a final chunk, idle', () => {
    const { conversation, asked, out, kinds } = setUp();
    conversation.asrChunk(final('  什么是 RAG？ '));
    expect(asked[0]).toMatchObject({ question: '什么是 RAG？', principal: 'alice', sessionId: 'server-made' });
    expect(out.slice(1)).toEqual([
      { type: 'status', stage: 'analyzing', question: '什么是 RAG？', session_id: 'server-made' },
      { type: 'status', stage: 'querying_rag', question: '什么是 RAG？', answer_id: expect.any(String), session_id: 'server-made' },
    ]);
    asked[0].answer.next({ text: '检索增强', replace: false });
    expect(out.at(-1)).toEqual({
      type: 'answer',
      content: '检索增强',
      final: false,
      answer_id: expect.any(String),
      session_id: 'server-made',
    });
    asked[0].answer.next({ text: '生成。', replace: false });
    asked[0].answer.complete();
    expect(out.slice(-3)).toEqual([
      { type: 'answer', content: '生成。', final: false, answer_id: expect.any(String), session_id: 'server-made' },
      { type: 'answer', content: '', final: true, finish_reason: 'complete', answer_id: expect.any(String), session_id: 'server-made' },
      { type: 'status', stage: 'idle', session_id: 'server-made' },
    ]);
    expect(kinds()).toEqual(['ack', 'status:analyzing', 'status:querying_rag', 'answer', 'answer', 'answer', 'status:idle']);
  });

  it('reports an empty final transcript as EMPTY_QUESTION', () => {
    const { conversation, asked, kinds } = setUp();
    conversation.asrChunk(final('   '));
    expect(asked).toHaveLength(0);
    expect(kinds()).toEqual(['ack', 'error:EMPTY_QUESTION']);
  });

  it('ignores transcript while paused, saying so, until resumed', () => {
    const { conversation, asked, out, kinds } = setUp();
    conversation.control('pause');
    conversation.asrChunk(final('什么是 RAG？'));
    expect(asked).toHaveLength(0);
    expect(out[2]).toEqual({ type: 'ack', received_type: 'asr_chunk', message: 'paused', session_id: 'server-made' });
    conversation.control('resume');
    conversation.asrChunk(final('什么是 RAG？'));
    expect(asked).toHaveLength(1);
    expect(kinds().slice(0, 6)).toEqual(['ack', 'status:paused', 'ack', 'status:paused', 'ack', 'status:listening']);
  });

  it('answers instant_query from the latest final text, and says NO_FINAL_ASR before there is one', () => {
    const { conversation, asked, out, kinds } = setUp();
    conversation.control('instant_query');
    expect(kinds()).toEqual(['ack', 'error:NO_FINAL_ASR']);
    conversation.asrChunk(final('我们聊聊年假'));
    conversation.control('instant_query');
    expect(asked.map((a) => a.question)).toEqual(['我们聊聊年假']);
    expect(out.slice(-2)).toEqual([
      { type: 'status', stage: 'instant_query', question: '我们聊聊年假', mode: 'instant', session_id: 'server-made' },
      {
        type: 'status',
        stage: 'querying_rag',
        question: '我们聊聊年假',
        mode: 'instant',
        answer_id: expect.any(String),
        session_id: 'server-made',
      },
    ]);
  });

  it('interrupts an answer in flight with a newer question', () => {
    const { conversation, asked, out } = setUp();
    conversation.asrChunk(final('what is RAG?'));
    asked[0].answer.next({ text: 'RAG is', replace: false });
    conversation.asrChunk(final('what is Dify?'));
    expect(asked[0].cancelled).toBe(true);
    expect(asked[1].question).toBe('what is Dify?');
    const afterAck = out.slice(out.findIndex((m) => m.type === 'status' && m.stage === 'interrupting'));
    expect(afterAck.slice(0, 2)).toEqual([
      { type: 'status', stage: 'interrupting', session_id: 'server-made' },
      { type: 'answer', content: '', final: true, finish_reason: 'interrupted', answer_id: expect.any(String), session_id: 'server-made' },
    ]);
    asked[0].answer.next({ text: 'stale', replace: false });
    expect(out.some((m) => m.type === 'answer' && m.content === 'stale')).toBe(false);
  });

  it('closes a failed answer, reports the upstream error with its code, and is ready again', () => {
    const { conversation, asked, out, kinds } = setUp();
    conversation.asrChunk(final('what is RAG?'));
    asked[0].answer.next({ text: 'RAG', replace: false });
    asked[0].answer.error(new DifyError('timeout', 'Dify did not answer in time'));
    expect(kinds().slice(-4)).toEqual(['answer', 'answer', 'error:UPSTREAM_TIMEOUT', 'status:idle']);
    expect(out.at(-3)).toMatchObject({ final: true, finish_reason: 'error' });
    expect(out.at(-2)).toMatchObject({ retryable: true });
    conversation.asrChunk(final('what is Dify?'));
    expect(asked).toHaveLength(2);
  });

  it('on stop, lets the answer in flight finish, then says closed and completes', () => {
    const { conversation, asked, kinds, isCompleted } = setUp();
    conversation.asrChunk(final('what is RAG?'));
    conversation.control('stop');
    expect(isCompleted()).toBe(false);
    expect(asked[0].cancelled).toBe(false);
    asked[0].answer.next({ text: 'RAG is retrieval.', replace: false });
    asked[0].answer.complete();
    expect(kinds().slice(-4)).toEqual(['answer', 'answer', 'status:idle', 'status:closed']);
    expect(isCompleted()).toBe(true);
  });

  it('on stop while idle, closes at once', () => {
    const { conversation, kinds, isCompleted } = setUp();
    conversation.control('stop');
    expect(kinds()).toEqual(['ack', 'status:closed']);
    expect(isCompleted()).toBe(true);
  });

  describe('STOP_MODE=reset (the Python service’s last release)', () => {
    const stopped = { type: 'status', stage: 'idle', note: 'stopped by the client', session_id: 'server-made' };

    it('cancels the answer in flight upstream, closes it as interrupted, says idle, and listens on', () => {
      const { conversation, asked, out, kinds, isCompleted } = setUp({ stopMode: 'reset' });
      conversation.asrChunk(final('what is RAG?'));
      asked[0].answer.next({ text: 'RAG is', replace: false });
      out.length = 0;
      conversation.control('stop');
      expect(asked[0].cancelled).toBe(true);
      expect(kinds()).toEqual(['ack', 'answer', 'status:idle']);
      expect(out[1]).toMatchObject({ type: 'answer', content: '', final: true, finish_reason: 'interrupted' });
      expect(out[2]).toEqual(stopped);
      asked[0].answer.next({ text: ' stale', replace: false });
      expect(kinds()).toHaveLength(3);
      expect(isCompleted()).toBe(false);
      // The connection is usable for the next question.
      conversation.asrChunk(final('what is Dify?'));
      expect(asked.map((a) => a.question)).toEqual(['what is RAG?', 'what is Dify?']);
      asked[1].answer.next({ text: 'Dify is', replace: false });
      asked[1].answer.complete();
      expect(kinds().slice(-3)).toEqual(['answer', 'answer', 'status:idle']);
    });

    it('forgets a question waiting to be asked and the latest final: instant_query has nothing to ask', () => {
      jest.useFakeTimers();
      const { conversation, asked, out, kinds } = setUp({ stopMode: 'reset', waitMs: 5000, punctuatedWaitMs: 5000 });
      try {
        conversation.asrChunk(final('what is RAG?'));
        conversation.control('stop');
        jest.advanceTimersByTime(10_000);
      } finally {
        jest.useRealTimers();
      }
      expect(asked).toHaveLength(0);
      out.length = 0;
      conversation.control('instant_query');
      expect(kinds()).toEqual(['ack', 'error:NO_FINAL_ASR']);
    });

    it('while idle, says idle and stays open', () => {
      const { conversation, out, kinds, isCompleted } = setUp({ stopMode: 'reset' });
      conversation.control('stop');
      expect(kinds()).toEqual(['ack', 'status:idle']);
      expect(out[1]).toEqual(stopped);
      expect(isCompleted()).toBe(false);
    });
  });

  it('cancels the answer in flight when the client goes', () => {
    const { conversation, asked, isCompleted } = setUp();
    conversation.asrChunk(final('what is RAG?'));
    conversation.close();
    expect(asked[0].cancelled).toBe(true);
    expect(isCompleted()).toBe(true);
  });

  describe('ended by the service (shutdown)', () => {
    const goingAway = new ProtocolError('SHUTTING_DOWN', 'Shutting down.', { retryable: true }, 1001);

    it('ends the answer in flight as interrupted, then tells the reason, cancels it upstream and ends the sink with the reason', () => {
      const { conversation, asked, out, kinds, endedWith } = setUp();
      conversation.asrChunk(final('what is RAG?'));
      asked[0].answer.next({ text: 'RAG is', replace: false });
      out.length = 0;
      conversation.close(goingAway);
      expect(out).toEqual([
        {
          type: 'answer',
          content: '',
          final: true,
          finish_reason: 'interrupted',
          answer_id: expect.any(String),
          session_id: 'server-made',
        },
        { type: 'error', code: 'SHUTTING_DOWN', message: 'Shutting down.', retryable: true, session_id: 'server-made' },
      ]);
      expect(asked[0].cancelled).toBe(true);
      expect(endedWith()).toBe(goingAway);
      conversation.close();
      expect(kinds()).toHaveLength(2);
    });

    it('tells the reason for a question not yet asked, and nothing to a client that lost nothing', () => {
      jest.useFakeTimers();
      try {
        const waiting = setUp({ waitMs: 500 });
        waiting.conversation.asrChunk(final('what is RAG'));
        waiting.out.length = 0;
        waiting.conversation.close(goingAway);
        expect(waiting.kinds()).toEqual(['error:SHUTTING_DOWN']);
        const idle = setUp();
        idle.conversation.close(goingAway);
        expect(idle.out).toEqual([]);
        expect(idle.endedWith()).toBe(goingAway);
      } finally {
        jest.useRealTimers();
      }
    });

    it('starts nothing upstream once over, even if a question still arrives', () => {
      const { conversation, asked } = setUp();
      conversation.close(goingAway);
      conversation.asrChunk(final('what is RAG?'));
      conversation.control('instant_query');
      expect(asked).toHaveLength(0);
    });
  });

  it('continues the session a client names', () => {
    const { conversation, asked, out } = setUp();
    conversation.keepalive('session-123');
    expect(out.at(-1)).toEqual({ type: 'ack', received_type: 'keepalive', session_id: 'session-123' });
    conversation.asrChunk(final('what is RAG?', 'session-123'));
    expect(asked[0]).toMatchObject({ sessionId: 'session-123', principal: 'alice' });
  });

  describe('taking turns', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('waits a moment after a question, and merges what the speaker adds into it', () => {
      const { conversation, asked } = setUp({ waitMs: 800, punctuatedWaitMs: 300 });
      conversation.asrChunk(final('what is the refund'));
      jest.advanceTimersByTime(500);
      conversation.asrChunk({ text: 'policy', isFinal: false });
      jest.advanceTimersByTime(700);
      conversation.asrChunk(final('policy for opened items?'));
      jest.advanceTimersByTime(299);
      expect(asked).toHaveLength(0);
      jest.advanceTimersByTime(1);
      expect(asked.map((a) => a.question)).toEqual(['what is the refund policy for opened items?']);
    });

    it('never joins a backchannel into a waiting question', () => {
      const { conversation, asked } = setUp({ waitMs: 800, punctuatedWaitMs: 300 });
      conversation.asrChunk(final('what is RAG?'));
      conversation.asrChunk(final('嗯'));
      jest.advanceTimersByTime(300);
      expect(asked.map((a) => a.question)).toEqual(['what is RAG?']);
    });

    it('waits less after a question mark', () => {
      const { conversation, asked } = setUp({ waitMs: 800, punctuatedWaitMs: 300 });
      conversation.asrChunk(final('年假有几天？'));
      jest.advanceTimersByTime(300);
      expect(asked.map((a) => a.question)).toEqual(['年假有几天？']);
    });

    it('keeps the unfinished words just before a question, and nothing older', () => {
      let now = 0;
      const { conversation, asked } = setUp({}, () => now);
      conversation.asrChunk(final('今天天气不错'));
      now += 200;
      conversation.asrChunk(final('关于年假'));
      now += 500;
      conversation.asrChunk(final('有几天'));
      expect(asked.map((a) => a.question)).toEqual(['关于年假有几天']);
      now += 5000;
      conversation.asrChunk(final('关于报销'));
      now += 3000; // too late to be the same sentence
      conversation.asrChunk(final('what is the deadline?'));
      expect(asked.at(-1)!.question).toBe('what is the deadline?');
    });

    it('answers a heard question at once on stop and on instant_query', () => {
      const stopped = setUp({ waitMs: 5000, punctuatedWaitMs: 5000 });
      stopped.conversation.asrChunk(final('what is RAG?'));
      stopped.conversation.control('stop');
      expect(stopped.asked.map((a) => a.question)).toEqual(['what is RAG?']);
      const instant = setUp({ waitMs: 5000, punctuatedWaitMs: 5000 });
      instant.conversation.asrChunk(final('what is RAG'));
      instant.conversation.control('instant_query');
      expect(instant.asked.map((a) => a.question)).toEqual(['what is RAG']);
      jest.advanceTimersByTime(10_000);
      expect(instant.asked).toHaveLength(1);
    });

    it('queues a new question until the answer ends when BARGE_IN=queue', () => {
      const { conversation, asked, out } = setUp({ bargeIn: 'queue' });
      conversation.asrChunk(final('what is RAG?'));
      conversation.asrChunk(final('what is Dify?'));
      expect(asked).toHaveLength(1);
      expect(asked[0].cancelled).toBe(false);
      expect(out.at(-1)).toMatchObject({ stage: 'analyzing', question: 'what is Dify?', note: expect.stringMatching(/queued/) });
      asked[0].answer.complete();
      expect(asked.map((a) => a.question)).toEqual(['what is RAG?', 'what is Dify?']);
    });

    it('caps a long question, keeping its end', () => {
      const { conversation, asked } = setUp({ maxQuestionChars: 20 });
      conversation.asrChunk(final(`${'blah '.repeat(30)}what is RAG?`));
      expect(asked[0].question).toBe('blah blah what is RAG?'.slice(-20));
    });

    it('holds, joins and scores at most maxQuestionChars of an endless sentence, however long it goes on', () => {
      let now = 0;
      const scored: string[] = [];
      const detect = (text: string) => (scored.push(text), { isQuestion: false, unfinished: true, backchannel: false, score: 0 });
      const { conversation, asked } = setUp({ maxQuestionChars: 50 }, () => now, detect);
      for (let i = 0; i < 100; i++) {
        now += 100;
        conversation.asrChunk(final(`${'about the '.repeat(40)}${i} and`));
      }
      expect(asked).toHaveLength(0);
      expect(Math.max(...scored.map((text) => Array.from(text).length))).toBe(50);
      expect(scored.at(-1)).toMatch(/99 and$/);
    });

    it('forgets a waiting question when the client goes', () => {
      const { conversation, asked } = setUp({ waitMs: 500 });
      conversation.asrChunk(final('what is RAG'));
      conversation.close();
      jest.advanceTimersByTime(1000);
      expect(asked).toHaveLength(0);
    });
  });

  describe('opt-in features (sources, usage)', () => {
    const end: AnswerEnd = {
      end: true,
      messageId: 'm-1',
      conversationId: 'c-1',
      sources: [{ position: 1, document_name: 'rag.md', dataset_name: 'Docs', score: 0.8123, content: 'x'.repeat(400) }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, total_price: '0.001', currency: 'USD', latency: 0.25 },
    };

    function answered(features: string[]) {
      let now = 1000;
      const set = setUp({}, () => now);
      set.conversation.enable(features);
      set.conversation.asrChunk(final('what is RAG?'));
      now = 1040;
      set.asked[0].answer.next({ text: 'RAG', replace: false });
      now = 1100;
      set.asked[0].answer.next(end);
      set.asked[0].answer.complete();
      return set;
    }

    it('are off by default: the old protocol exactly', () => {
      const { kinds } = answered([]);
      expect(kinds()).toEqual(['ack', 'status:analyzing', 'status:querying_rag', 'answer', 'answer', 'status:idle']);
    });

    it('send sources then usage after the final chunk of a complete answer, before idle', () => {
      const { kinds, out } = answered(['usage', 'sources', 'telepathy']);
      expect(kinds()).toEqual(['ack', 'status:analyzing', 'status:querying_rag', 'answer', 'answer', 'sources', 'usage', 'status:idle']);
      const sources = out.find((m) => m.type === 'sources');
      expect(sources).toEqual({
        type: 'sources',
        message_id: 'm-1',
        conversation_id: 'c-1',
        sources: [{ position: 1, document_name: 'rag.md', dataset_name: 'Docs', score: 0.8123, content: `${'x'.repeat(299)}…` }],
        session_id: 'server-made',
      });
      expect(out.find((m) => m.type === 'usage')).toEqual({
        type: 'usage',
        message_id: 'm-1',
        finish_reason: 'complete',
        first_chunk_ms: 40,
        duration_ms: 100,
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        total_price: '0.001',
        currency: 'USD',
        upstream_latency_ms: 250,
        session_id: 'server-made',
      });
    });

    it("report an interrupted answer's usage (timing only) and no sources", () => {
      let now = 0;
      const { conversation, asked, out, kinds } = setUp({}, () => now);
      conversation.enable(['sources', 'usage']);
      conversation.asrChunk(final('what is RAG?'));
      now = 30;
      conversation.asrChunk(final('what is Dify?'));
      expect(asked[0].cancelled).toBe(true);
      expect(kinds().slice(4, 8)).toEqual(['status:interrupting', 'answer', 'usage', 'status:analyzing']);
      expect(out.find((m) => m.type === 'usage')).toEqual({
        type: 'usage',
        finish_reason: 'interrupted',
        duration_ms: 30,
        session_id: 'server-made',
      });
    });

    it("report a failed answer's usage before the error", () => {
      const { conversation, asked, kinds } = setUp();
      conversation.enable(['usage']);
      conversation.asrChunk(final('what is RAG?'));
      asked[0].answer.error(new DifyError('timeout', 'slow'));
      expect(kinds().slice(3)).toEqual(['answer', 'usage', 'error:UPSTREAM_TIMEOUT', 'status:idle']);
    });

    it('hello turns features on and off and acknowledges what is on', () => {
      const { conversation, out, kinds } = setUp();
      conversation.hello(['sources', 'nope'], 'mine');
      expect(out.at(-1)).toEqual({ type: 'ack', received_type: 'hello', features: ['sources'], session_id: 'mine' });
      conversation.hello([]);
      expect(out.at(-1)).toEqual({ type: 'ack', received_type: 'hello', features: [], session_id: 'mine' });
      out.length = 0;
      conversation.asrChunk(final('what is RAG?'));
      expect(kinds()).not.toContain('sources');
    });
  });
});

describe('Conversation with TURN_POLICY=adaptive', () => {
  const ADAPTIVE: Partial<TurnConfig> = { policy: 'adaptive', waitMs: 800, punctuatedWaitMs: 300, sureWaitMs: 0, unsureWaitMs: 250 };
  const answers = (out: ConversationMessage[]) => out.filter((m) => m.type === 'answer');
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('asks a question it is sure of almost at once, a less sure one a little later', () => {
    const { conversation, asked } = setUp(ADAPTIVE);
    conversation.asrChunk(final('年假有几天？')); // score 0.9: 250 × 0.2² = 10 ms
    jest.advanceTimersByTime(9);
    expect(asked).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(asked.map((a) => a.question)).toEqual(['年假有几天？']);
    asked[0].answer.complete();

    conversation.asrChunk(final('what is the refund policy')); // score 0.7: 250 × 0.6² = 90 ms
    jest.advanceTimersByTime(89);
    expect(asked).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(asked[1].question).toBe('what is the refund policy');
  });

  it('waits QUESTION_WAIT_MS for the rest of a question the speaker left unfinished', () => {
    const detect = (text: string) => ({ ...looksLikeQuestion(text), unfinished: / the$/.test(text) });
    const { conversation, asked } = setUp(ADAPTIVE, undefined, detect);
    conversation.asrChunk(final('what is the'));
    jest.advanceTimersByTime(799);
    expect(asked).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(asked).toHaveLength(1);
  });

  it('takes a question back when the speaker goes on before its answer shows, and answers the whole question once', () => {
    const { conversation, asked, out } = setUp(ADAPTIVE);
    conversation.asrChunk(final('年假有几天'));
    jest.advanceTimersByTime(90);
    expect(asked).toHaveLength(1);
    conversation.asrChunk({ text: '对于', isFinal: false });
    expect(asked[0].cancelled).toBe(true);
    conversation.asrChunk({ text: '对于入职不满', isFinal: false });
    conversation.asrChunk(final('对于入职不满一年的员工'));
    jest.advanceTimersByTime(250);
    expect(asked.map((a) => a.question)).toEqual(['年假有几天', '年假有几天对于入职不满一年的员工']);
    asked[1].answer.next({ text: '5 天', replace: false });
    asked[1].answer.complete();
    const chunks = answers(out);
    expect(new Set(chunks.map((c) => c.answer_id)).size).toBe(1);
    expect(chunks.map((c) => (c.type === 'answer' ? c.content : ''))).toEqual(['5 天', '']);
    expect(out.some((m) => m.type === 'status' && m.stage === 'interrupting')).toBe(false);
  });

  it('keeps the answer once its text reached the client: what follows is a turn of its own', () => {
    const { conversation, asked, out } = setUp(ADAPTIVE);
    conversation.asrChunk(final('年假有几天'));
    jest.advanceTimersByTime(90);
    asked[0].answer.next({ text: '新员工', replace: false });
    conversation.asrChunk({ text: '对于', isFinal: false });
    conversation.asrChunk(final('对于入职不满一年的员工'));
    jest.advanceTimersByTime(1000);
    expect(asked).toHaveLength(1);
    expect(asked[0].cancelled).toBe(false);
    expect(out.at(-1)).toMatchObject({ type: 'status', stage: 'waiting_for_question' });
  });

  it('never takes a question back for a backchannel', () => {
    const { conversation, asked } = setUp(ADAPTIVE);
    conversation.asrChunk(final('what is RAG?'));
    jest.advanceTimersByTime(10);
    conversation.asrChunk({ text: '嗯', isFinal: false });
    conversation.asrChunk(final('嗯'));
    jest.advanceTimersByTime(1000);
    expect(asked).toHaveLength(1);
    expect(asked[0].cancelled).toBe(false);
  });

  it('asks nothing new for an instant_query of the question already being answered', () => {
    const { conversation, asked, out } = setUp(ADAPTIVE);
    conversation.asrChunk(final('年假有几天？'));
    jest.advanceTimersByTime(10);
    conversation.control('instant_query');
    expect(asked).toHaveLength(1);
    expect(asked[0].cancelled).toBe(false);
    expect(out.some((m) => m.type === 'status' && m.stage === 'interrupting')).toBe(false);
  });

  it('never takes back an instant_query', () => {
    const { conversation, asked } = setUp(ADAPTIVE);
    conversation.asrChunk(final('what is RAG'));
    conversation.control('instant_query');
    conversation.asrChunk({ text: 'and Dify', isFinal: false });
    expect(asked).toHaveLength(1);
    expect(asked[0].cancelled).toBe(false);
  });

  it('forgets a queued question the speaker goes on from, and queues the whole one (BARGE_IN=queue)', () => {
    const { conversation, asked } = setUp({ ...ADAPTIVE, bargeIn: 'queue' });
    conversation.asrChunk(final('what is RAG?'));
    jest.advanceTimersByTime(10);
    asked[0].answer.next({ text: 'RAG is', replace: false });
    conversation.asrChunk(final('what is Dify?'));
    jest.advanceTimersByTime(10);
    conversation.asrChunk(final('and how do they differ?'));
    jest.advanceTimersByTime(300);
    asked[0].answer.complete();
    expect(asked.map((a) => a.question)).toEqual(['what is RAG?', 'what is Dify? and how do they differ?']);
  });
});
