import { AnswerSeen, Observation } from './turn-replay';
import { goals, scoreTurn, summarise, TurnScore } from './turn-scoring';
import { Turn } from './turns-corpus';

const complete: Turn = {
  id: 'complete-000',
  class: 'complete',
  events: [
    { at: 0, text: '年假', isFinal: false },
    { at: 150, text: '年假有几天', isFinal: true },
  ],
  question: '年假有几天',
};
const continuation: Turn = {
  id: 'continuation-000',
  class: 'continuation',
  events: [
    { at: 0, text: '年假有几天', isFinal: true },
    { at: 300, text: '对于新', isFinal: false },
    { at: 450, text: '对于新员工', isFinal: true },
  ],
  question: '年假有几天对于新员工',
};
const leadIn: Turn = { ...continuation, id: 'lead-in-000', class: 'lead-in' };
const smallTalk: Turn = { id: 'small-talk-000', class: 'small-talk', events: [{ at: 0, text: '先这样吧', isFinal: true }] };
const backchannel: Turn = {
  id: 'backchannel-000',
  class: 'backchannel',
  events: [
    { at: 0, text: '年假有几天', isFinal: true },
    { at: 100, text: '嗯', isFinal: true, afterAnswer: true },
  ],
  question: '年假有几天',
};

const answer = (question: string, firstTextAt: number, endedAt = firstTextAt + 500, finishReason = 'complete'): AnswerSeen => ({
  question,
  firstTextAt,
  endedAt,
  finishReason,
});
const seen = (sentAt: number[], answers: Record<string, AnswerSeen>, interrupting = false): Observation => ({
  sentAt,
  answers,
  interrupting,
});
const call = (query: string, abandoned = false) => ({ query, abandoned });

describe('turn scoring', () => {
  it('times a complete question from its final to the first answer text, answered whole', () => {
    const score = scoreTurn(complete, 'fixed', seen([1000, 1150], { a: answer('年假有几天', 1560) }), [call('年假有几天')]);
    expect(score).toMatchObject({ latencyMs: 410, answered: true, whole: true, calls: 1, premature: 0, abandoned: 0, failures: [] });
  });

  it('loses a question turn whose answer never came or did not run to its end', () => {
    expect(scoreTurn(complete, 'fixed', seen([0, 150], {}), []).failures).toEqual(['lost: no answer ran to its end']);
    const failed = scoreTurn(complete, 'fixed', seen([0, 150], { a: answer('年假有几天', 600, 700, 'error') }), [call('年假有几天')]);
    expect(failed).toMatchObject({ answered: false, whole: false, failures: ['lost: no answer ran to its end'] });
  });

  it('counts an abandoned premature ask, and judges by the answer whose text came first', () => {
    const answers = {
      early: { question: '年假有几天', endedAt: 400, finishReason: 'interrupted' },
      whole: answer('年假有几天对于新员工', 900),
    };
    const calls = [call('年假有几天', true), call('年假有几天对于新员工')];
    const score = scoreTurn(continuation, 'adaptive', seen([0, 300, 450], answers), calls);
    expect(score).toMatchObject({
      latencyMs: 450,
      whole: true,
      calls: 2,
      premature: 1,
      abandoned: 1,
      continuedBeforeAnswer: true,
      failures: [],
    });
  });

  it('fails a lead-in answered without its rest, under either policy', () => {
    for (const policy of ['fixed', 'adaptive'] as const) {
      const score = scoreTurn(leadIn, policy, seen([0, 300, 450], { a: answer('年假有几天', 600) }), [call('年假有几天')]);
      expect(score.failures).toEqual(['wrongly joined: answered "年假有几天", not "年假有几天对于新员工"']);
    }
  });

  it('fails a continuation answered alone only under adaptive, and only when it came before any answer text', () => {
    const before = seen([0, 300, 450], { a: answer('年假有几天', 500) });
    const after = seen([0, 300, 450], { a: answer('年假有几天', 250) });
    const calls = [call('年假有几天')];
    expect(scoreTurn(continuation, 'adaptive', before, calls).failures).toHaveLength(1);
    expect(scoreTurn(continuation, 'fixed', before, calls)).toMatchObject({ whole: false, premature: 1, failures: [] });
    expect(scoreTurn(continuation, 'adaptive', after, calls)).toMatchObject({
      continuedBeforeAnswer: false,
      latencyMs: -200,
      failures: [],
    });
  });

  it('fails small talk that reached Dify', () => {
    expect(scoreTurn(smallTalk, 'fixed', seen([0], {}), []).failures).toEqual([]);
    expect(scoreTurn(smallTalk, 'fixed', seen([0], {}), [call('先这样吧')]).failures).toEqual(['small talk sent to Dify']);
  });

  it('fails a backchannel that interrupted its answer, and tells whether it came mid-answer', () => {
    const ok = scoreTurn(backchannel, 'adaptive', seen([0, 700], { a: answer('年假有几天', 600, 1100) }), [call('年假有几天')]);
    expect(ok).toMatchObject({ latencyMs: 600, backchannelMidAnswer: true, failures: [] });
    const late = scoreTurn(backchannel, 'adaptive', seen([0, 1200], { a: answer('年假有几天', 600, 1100) }), [call('年假有几天')]);
    expect(late.backchannelMidAnswer).toBe(false);
    const cut = scoreTurn(backchannel, 'adaptive', seen([0, 700], { a: answer('年假有几天', 600, 750, 'interrupted') }, true), [
      call('年假有几天'),
    ]);
    expect(cut.failures).toContain('the backchannel interrupted the answer');
  });

  it('summarises per class and policy, and checks the goals', () => {
    // `abandoned` premature asks before the answer.
    const score = (
      policy: 'fixed' | 'adaptive',
      cls: Turn['class'],
      latencyMs: number | undefined,
      whole: boolean,
      abandoned = 0,
    ): TurnScore => ({
      id: 'x',
      class: cls,
      policy,
      latencyMs,
      answered: whole,
      whole,
      calls: cls === 'small-talk' ? 0 : 1 + abandoned,
      premature: abandoned,
      abandoned,
      continuedBeforeAnswer: false,
      backchannelMidAnswer: false,
      failures: [],
    });
    const scores = [
      ...[400, 420, 440, 460, 900].map((ms) => score('adaptive', 'complete', ms, true)),
      score('adaptive', 'continuation', 450, true, 1),
      score('adaptive', 'continuation', -100, false),
      score('adaptive', 'small-talk', undefined, false),
      score('fixed', 'complete', 1200, true),
    ];
    const { adaptive, fixed } = summarise(scores);
    expect(adaptive.classes.complete).toMatchObject({
      turns: 5,
      latencyMs: { n: 5, p50: 440, p95: 900 },
      wholePct: 100,
      callsPerQuestion: 1,
    });
    expect(adaptive.classes.continuation).toMatchObject({ wholePct: 50, premature: 1, abandoned: 1, callsPerQuestion: 1.5 });
    expect(adaptive.classes['small-talk']).toMatchObject({ turns: 1, wholePct: NaN, callsPerQuestion: 0 });
    expect(adaptive).toMatchObject({ questions: 7, abandoned: 1, abandonedPct: 14.3 });
    expect(fixed.classes.complete.latencyMs).toEqual({ n: 1, p50: 1200, p95: 1200 });
    expect(goals(adaptive, 400).map((goal) => goal.met)).toEqual([true, false, false, false]);
    expect(goals(adaptive, 800).map((goal) => goal.met)).toEqual([true, true, false, false]);
  });
});
