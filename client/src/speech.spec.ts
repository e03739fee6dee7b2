import { partials, speak } from './speech.ts';

describe('partials', () => {
  it('grows Chinese by character and other text by word, up to three steps before the final', () => {
    expect(partials('年假有几天')).toEqual(['年假', '年假有', '年假有几']);
    expect(partials('what is RAG?')).toEqual(['what', 'what is']);
    expect(partials('RAG')).toEqual([]);
  });
});

describe('speak', () => {
  it('sends the partials, each told, then the whole utterance as the final chunk', async () => {
    const sent: Array<[string, boolean]> = [];
    const told: string[] = [];
    const sender = { sendTranscript: (text: string, isFinal: boolean) => sent.push([text, isFinal]) > 0 };
    expect(await speak(sender, 'what is RAG?', { delayMs: 0, onPartial: (text) => told.push(text) })).toBe(true);
    expect(sent).toEqual([
      ['what', false],
      ['what is', false],
      ['what is RAG?', true],
    ]);
    expect(told).toEqual(['what', 'what is']);
  });

  it('stops at the first chunk not sent, and says so', async () => {
    const sent: string[] = [];
    const sender = { sendTranscript: (text: string) => sent.push(text) < 2 };
    expect(await speak(sender, 'what is RAG?', { delayMs: 0 })).toBe(false);
    expect(sent).toEqual(['what', 'what is']);
  });
});
