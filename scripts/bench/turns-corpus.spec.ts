import { QuestionDetector } from '../../src/conversation/question-detector';
import { joinUtterances } from '../../src/conversation/utterance-text';
import { AsrEvent, PARTIAL_GAP_MS } from './asr-events';
import { BACKCHANNEL_GAP_MS, CONTINUATION_GAP_MS, LEAD_IN_GAP_MS, LEAD_IN_REST_DONE_MS, Turn, TURNS } from './turns-corpus';

const detector = new QuestionDetector({ threshold: 0.5, maxChars: 500 });
const ofClass = (cls: Turn['class']) => TURNS.filter((turn) => turn.class === cls);

/** A turn's utterances: each its partials and the final closing them. */
function utterances(turn: Turn): AsrEvent[][] {
  const said: AsrEvent[][] = [[]];
  for (const event of turn.events) {
    said.at(-1)!.push(event);
    if (event.isFinal) said.push([]);
  }
  return said.slice(0, -1);
}
const finalOf = (events: AsrEvent[]) => events.at(-1)!;
/** From one utterance's final to the next one's first partial. */
const pauseOf = (turn: Turn) => {
  const [first, second] = utterances(turn);
  return second[0].at - finalOf(first).at;
};

describe('turn-taking corpus', () => {
  it('has at least 200 turns of every class, with unique ids', () => {
    expect(TURNS.length).toBeGreaterThanOrEqual(200);
    const counts = { complete: 110, 'lead-in': 40, continuation: 22, 'small-talk': 25, backchannel: 20 };
    for (const [cls, count] of Object.entries(counts)) expect(ofClass(cls as Turn['class']).length).toBe(count);
    expect(new Set(TURNS.map((turn) => turn.id)).size).toBe(TURNS.length);
  });

  it('has complete questions in Chinese, English and mixed, about half with a final question mark', () => {
    const questions = ofClass('complete').map((turn) => turn.question!);
    const cjk = (text: string) => /[\u3400-\u9fff]/.test(text);
    const latin = (text: string) => /[a-z]/i.test(text);
    expect(questions.filter((q) => cjk(q) && !latin(q)).length).toBeGreaterThan(30);
    expect(questions.filter((q) => latin(q) && !cjk(q)).length).toBeGreaterThan(30);
    expect(questions.filter((q) => latin(q) && cjk(q)).length).toBeGreaterThan(20);
    expect(questions.filter((q) => /[?？]$/.test(q)).length).toBe(questions.length / 2);
  });

  it('emits each utterance as growing partials 100–200 ms apart, then its final', () => {
    for (const turn of TURNS)
      for (const said of utterances(turn)) {
        const final = finalOf(said);
        expect(said.slice(0, -1).every((event) => !event.isFinal && final.text.startsWith(event.text))).toBe(true);
        for (let i = 1; i < said.length; i++) {
          expect(said[i].text.length).toBeGreaterThanOrEqual(said[i - 1].text.length);
          expect(said[i].at - said[i - 1].at).toBeGreaterThanOrEqual(PARTIAL_GAP_MS.min);
          expect(said[i].at - said[i - 1].at).toBeLessThanOrEqual(PARTIAL_GAP_MS.max);
        }
      }
  });

  it('pauses between finals as the classes say, lead-in and continuation gaps spread over their range', () => {
    const spans = (turns: Turn[]) => turns.map(pauseOf);
    const leadIns = spans(ofClass('lead-in'));
    const continuations = spans(ofClass('continuation'));
    expect([Math.min(...leadIns), Math.max(...leadIns)]).toEqual([LEAD_IN_GAP_MS.min, LEAD_IN_GAP_MS.max]);
    expect([Math.min(...continuations), Math.max(...continuations)]).toEqual([CONTINUATION_GAP_MS.min, CONTINUATION_GAP_MS.max]);
    for (const turn of ofClass('lead-in')) {
      const [lead, rest] = utterances(turn);
      expect(finalOf(rest).at - finalOf(lead).at).toBeLessThanOrEqual(LEAD_IN_REST_DONE_MS);
    }
    for (const turn of ofClass('backchannel')) {
      const [, backchannel] = utterances(turn);
      expect(backchannel.every((event) => event.afterAnswer)).toBe(true);
      expect(backchannel[0].at).toBeGreaterThanOrEqual(BACKCHANNEL_GAP_MS.min);
      expect(backchannel[0].at).toBeLessThanOrEqual(BACKCHANNEL_GAP_MS.max);
    }
  });

  it("expects each question turn's finals before the answer, joined as the service joins them", () => {
    for (const turn of TURNS.filter((t) => t.class !== 'small-talk')) {
      const finals = turn.events.filter((event) => event.isFinal && !event.afterAnswer).map((event) => event.text);
      expect(finals.reduce(joinUtterances)).toBe(turn.question);
    }
    expect(ofClass('small-talk').every((turn) => turn.question === undefined)).toBe(true);
  });

  it('is read by the detector as written: questions ask, lead-ins are unfinished, small talk and backchannels ask nothing', () => {
    const asks = (text: string) => detector.detect(text).isQuestion;
    const said = (cls: Turn['class'], i: number) => ofClass(cls).map((turn) => finalOf(utterances(turn)[i]).text);
    const questions = (cls: Turn['class']) => ofClass(cls).map((turn) => turn.question!);
    for (const cls of ['complete', 'lead-in', 'backchannel'] as const) expect(questions(cls).filter((text) => !asks(text))).toEqual([]);
    expect(said('continuation', 0).filter((text) => !asks(text))).toEqual([]);
    expect(said('lead-in', 0).filter((text) => asks(text) || !detector.detect(text).unfinished)).toEqual([]);
    for (const [cls, i] of [
      ['small-talk', 0],
      ['continuation', 1],
      ['backchannel', 1],
    ] as const)
      expect(said(cls, i).filter(asks)).toEqual([]);
  });
});
