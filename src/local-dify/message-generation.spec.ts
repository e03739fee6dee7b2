import { setTimeout as sleep } from 'node:timers/promises';
import { FinalStep, GenerationStep, MessageGeneration, Pace } from './message-generation';

const collect = async (generation: MessageGeneration) => {
  const steps: GenerationStep[] = [];
  for await (const step of generation.read()) steps.push(step);
  return steps;
};

describe('MessageGeneration', () => {
  const fast: Pace = { chunkChars: 2, chunkDelayMs: 0, firstChunkDelayMs: 0 };

  it('generates to its end with nobody reading; a reader that comes later gets every step from the first', async () => {
    const generation = new MessageGeneration('什么是 RAG', fast, undefined, () => undefined);
    await generation.ended;
    expect(generation.state).toBe('completed');
    expect(await collect(generation)).toEqual([
      { kind: 'text', text: '什么' },
      { kind: 'text', text: '是 ' },
      { kind: 'text', text: 'RA' },
      { kind: 'text', text: 'G' },
      { kind: 'end', answer: '什么是 RAG', latency: expect.any(Number) },
    ]);
  });

  it('stops with what it had, and reports its end before any reader sees it', async () => {
    const seen: GenerationStep[] = [];
    let atEnd: [string, FinalStep, number] | undefined;
    const generation = new MessageGeneration(
      'abcdef',
      { chunkChars: 1, chunkDelayMs: 10_000, firstChunkDelayMs: 0 },
      undefined,
      (state, step) => {
        atEnd = [state, step, seen.length];
      },
    );
    const reading = (async () => {
      for await (const step of generation.read()) {
        seen.push(step);
        if (seen.length === 1) generation.stop();
      }
    })();
    await reading;
    expect(atEnd).toEqual(['stopped', { kind: 'end', answer: 'a', latency: expect.any(Number) }, 1]);
    expect(seen.map((s) => s.kind)).toEqual(['text', 'end']);
  });

  it('reads its pace anew before every pause', async () => {
    const pace = { chunkChars: 1, chunkDelayMs: 10_000, firstChunkDelayMs: 0 };
    const generation = new MessageGeneration('abc', pace, undefined, () => undefined);
    pace.chunkDelayMs = 0; // before its first pause between pieces
    await Promise.race([generation.ended, sleep(1000)]);
    expect(generation.state).toBe('completed');
  });

  it('fails after N pieces on an error-event fault, and replaces the answer on a message-replace one', async () => {
    const failing = new MessageGeneration('abcdef', fast, { kind: 'error-event', afterChunks: 1 }, () => undefined);
    expect(await failing.ended).toEqual({
      kind: 'error',
      status: 400,
      code: 'completion_request_error',
      message: 'Completion request failed.',
    });
    expect(failing.state).toBe('failed');
    const replaced = new MessageGeneration('abcdef', fast, { kind: 'message-replace', afterChunks: 1, answer: 'No.' }, () => undefined);
    expect((await collect(replaced)).slice(1)).toEqual([
      { kind: 'replace', answer: 'No.' },
      { kind: 'end', answer: 'No.', latency: expect.any(Number) },
    ]);
  });

  it('generates an endless answer (the answer over and over) until stopped, and saves what it had', async () => {
    const generation = new MessageGeneration('abc', fast, { kind: 'endless' }, () => undefined);
    const texts: string[] = [];
    for await (const step of generation.read()) {
      if (step.kind === 'text') texts.push(step.text);
      if (texts.length === 10) generation.stop();
      if (step.kind === 'end') expect(step.answer.startsWith('abcabcabc')).toBe(true);
    }
    expect(texts.slice(0, 4)).toEqual(['ab', 'c', 'ab', 'c']);
    expect(generation.state).toBe('stopped');
  });
});
