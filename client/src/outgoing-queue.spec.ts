import { OutgoingQueue } from './outgoing-queue.ts';

const partial = (text: string) => ({ type: 'asr_chunk' as const, text, is_final: false });
const final = (text: string) => ({ type: 'asr_chunk' as const, text, is_final: true });

describe('OutgoingQueue', () => {
  it('gives back what it kept, oldest first, once', () => {
    const queue = new OutgoingQueue(10);
    queue.push(final('什么是 RAG？'));
    queue.push({ type: 'control', action: 'instant_query' });
    expect(queue.drain()).toEqual([final('什么是 RAG？'), { type: 'control', action: 'instant_query' }]);
    expect(queue.drain()).toEqual([]);
  });

  it('keeps only the newest of partials in a row: each revises the utterance', () => {
    const queue = new OutgoingQueue(10);
    for (const text of ['什么', '什么是', '什么是 RAG']) queue.push(partial(text));
    queue.push(final('什么是 RAG？'));
    queue.push(partial('它'));
    queue.push(partial('它有'));
    expect(queue.drain()).toEqual([partial('什么是 RAG'), final('什么是 RAG？'), partial('它有')]);
  });

  it('is bounded: past its size it refuses a message, and takes one again once drained', () => {
    const queue = new OutgoingQueue(2);
    expect(queue.push(final('一'))).toBe(true);
    expect(queue.push(final('二'))).toBe(true);
    expect(queue.push(final('三'))).toBe(false);
    expect(queue.push({ type: 'control', action: 'stop' })).toBe(false);
    expect(queue.drain()).toEqual([final('一'), final('二')]);
    expect(queue.push(final('三'))).toBe(true);
  });

  it('replaces a waiting partial even when full, since that adds nothing', () => {
    const queue = new OutgoingQueue(1);
    queue.push(partial('年'));
    expect(queue.push(partial('年假'))).toBe(true);
    expect(queue.drain()).toEqual([partial('年假')]);
  });
});
