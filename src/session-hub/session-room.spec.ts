import { EMPTY } from 'rxjs';
import { Feature, wireErrors } from '../protocol';
import { AnswerLog } from './answer-log';
import { InMemoryAnswerLog } from './in-memory-answer-log';
import { AnswerOutlet, RoomAnswering, RoomMember } from './room-ports';
import { SessionRoom } from './session-room';
import { SessionMessage } from './session-message';

function member(features: Feature[] = []): RoomMember & { got: SessionMessage[] } {
  const got: SessionMessage[] = [];
  return { got, features: () => features, receive: (m) => got.push(m), holdUntil: () => undefined };
}

/** What the room needs of a session's answering, driven by the test through the outlet it is given. */
class FakeAnswering implements RoomAnswering {
  current: string | undefined;
  cancelled: boolean[] = [];
  constructor(readonly outlet: AnswerOutlet) {}
  get busy(): boolean {
    return this.current !== undefined;
  }
  cancel(closeInterrupted: boolean): void {
    this.cancelled.push(closeInterrupted);
    this.current = undefined;
  }
  start(answerId: string): void {
    this.current = answerId;
    this.outlet.begin(answerId);
  }
}

function room(
  onVacant: (room: SessionRoom<FakeAnswering>) => void = () => undefined,
  log: AnswerLog = new InMemoryAnswerLog(),
): SessionRoom<FakeAnswering> {
  return new SessionRoom(
    'p',
    'hr',
    's',
    (outlet) => new FakeAnswering(outlet),
    log,
    { savedAnswer: () => EMPTY },
    { graceMs: 60_000, maxLogChars: 1000 },
    onVacant,
  );
}

const text = (content: string): SessionMessage => ({ type: 'answer', content, final: false, answer_id: 'a1', session_id: 's' });

describe('SessionRoom (the hub alone, with no turns)', () => {
  it('publishes to each member what it opted into, and replays the text, not the live-only extras, to a resuming one', async () => {
    const r = room();
    const plain = member();
    const watching = member(['progress']);
    r.join(plain);
    r.join(watching);
    r.answering.start('a1');
    r.send({ type: 'progress', answer_id: 'a1', step: 'workflow', state: 'started', session_id: 's' }, 'progress');
    r.send(text('Hello'));
    expect(plain.got).toEqual([text('Hello')]);
    expect(watching.got.map((m) => m.type)).toEqual(['progress', 'answer']);

    const back = member(['progress']);
    r.join(back);
    expect(await r.resume(back, 'a1', 2)).toBe(true);
    expect(back.got).toEqual([text('llo')]);
  });

  it('sends a member the service ends the interrupted final chunk, and stops the answer when it was the last', () => {
    const r = room();
    const only = member();
    r.join(only);
    r.answering.start('a1');
    r.leave(only, wireErrors.shuttingDown());
    expect(only.got).toEqual([
      { type: 'answer', content: '', final: true, finish_reason: 'interrupted', answer_id: 'a1', session_id: 's' },
    ]);
    expect(r.answering.cancelled).toEqual([true]);
  });

  it('keeps streaming through the grace when the last member simply goes, and is vacant once the answering settles', () => {
    const vacated = jest.fn();
    const r = room(vacated);
    const only = member();
    r.join(only);
    r.answering.start('a1');
    r.leave(only);
    expect(r.answering.cancelled).toEqual([]);
    expect(vacated).not.toHaveBeenCalled();
    r.answering.current = undefined;
    r.settled();
    expect(vacated).toHaveBeenCalledWith(r);
  });

  it('holds a joining member’s messages while the session’s announcements are not heard yet, and not once they are', () => {
    const subscribing = Promise.resolve();
    let heard: Promise<void> | undefined = subscribing;
    const log = new (class extends InMemoryAnswerLog {
      override untilHeard = () => heard;
    })();
    const r = room(undefined, log);
    const [first, second] = [member(), member()];
    const held = [jest.spyOn(first, 'holdUntil'), jest.spyOn(second, 'holdUntil')];
    r.join(first);
    heard = undefined;
    r.join(second);
    expect(held[0]).toHaveBeenCalledWith(subscribing);
    expect(held[1]).not.toHaveBeenCalled();
  });
});
