import { DifyError } from './dify-error';
import { DifyStreamDecoder } from './dify-stream-decoder';
import { DifyEvent } from './dify.types';

interface Outcome {
  events: DifyEvent[];
  ended: boolean;
  error?: DifyError;
}

function decode(pieces: Uint8Array[], { eof = true, maxEventChars = 1024 * 1024, speech = false } = {}): Outcome {
  const outcome: Outcome = { events: [], ended: false };
  const decoder = new DifyStreamDecoder(
    {
      event: (event) => outcome.events.push(event),
      end: () => (outcome.ended = true),
      error: (error) => (outcome.error = error),
    },
    maxEventChars,
    speech,
  );
  for (const piece of pieces) decoder.push(piece);
  if (eof) decoder.finish();
  return outcome;
}

const ids = { conversation_id: 'c-1', message_id: 'm-1', created_at: 1705407629, task_id: 't-1' };
const frame = (payload: object, eol = '\n') => `data: ${JSON.stringify({ ...ids, ...payload })}${eol}${eol}`;
const bytes = (text: string) => new TextEncoder().encode(text);
const answerOf = (events: DifyEvent[]) =>
  events.reduce((answer, e) => (e.kind === 'text' ? answer + e.text : e.kind === 'replace' ? e.text : answer), '');

const ANSWER_PIECES = ['检索', '增强生成（RAG）', ' combines\n\nretrieval', ' with 生成。\r\n', '  👍 done'];
const CHAT_STREAM =
  ANSWER_PIECES.map((answer) => frame({ event: 'message', answer, id: 'm-1', from_variable_selector: null })).join('event: ping\n\n') +
  frame({ event: 'message_end', id: 'm-1', metadata: { usage: { total_tokens: 9 }, retriever_resources: [{ document_name: 'rag.md' }] } });

describe('DifyStreamDecoder', () => {
  it('emits each text piece in order and completes on message_end', () => {
    const { events, ended, error } = decode([bytes(CHAT_STREAM)]);
    expect(error).toBeUndefined();
    expect(ended).toBe(true);
    expect(events.filter((e) => e.kind === 'text').map((e) => (e as { text: string }).text)).toEqual(ANSWER_PIECES);
    expect(events.at(-1)).toMatchObject({
      kind: 'end',
      taskId: 't-1',
      conversationId: 'c-1',
      usage: { total_tokens: 9 },
      retrieverResources: [{ document_name: 'rag.md' }],
    });
  });

  it('gives the same answer whatever byte the stream is cut at, inside UTF-8 characters too', () => {
    const all = bytes(CHAT_STREAM);
    for (let cut = 1; cut < all.length; cut++) {
      const { events, ended } = decode([all.subarray(0, cut), all.subarray(cut)]);
      expect(ended).toBe(true);
      expect(answerOf(events)).toBe(ANSWER_PIECES.join(''));
    }
  });

  it('survives one byte at a time and random multi-way cuts', () => {
    const all = bytes(CHAT_STREAM);
    const oneByOne = Array.from(all, (b) => Uint8Array.of(b));
    expect(answerOf(decode(oneByOne).events)).toBe(ANSWER_PIECES.join(''));
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const pieces: Uint8Array[] = [];
      for (let start = 0; start < all.length;) {
        const end = Math.min(all.length, start + 1 + Math.floor(random() * 40));
        pieces.push(all.subarray(start, end));
        start = end;
      }
      expect(answerOf(decode(pieces).events)).toBe(ANSWER_PIECES.join(''));
    }
  });

  it('reads CRLF line endings and the spaced, escaped JSON of Dify before 1.8.1', () => {
    const spaced = `data: {"event": "message", "conversation_id": "c-1", "message_id": "m-1", "task_id": "t-1", "answer": "\\u68c0\\u7d22"}\r\n\r\n`;
    const { events, ended } = decode([bytes(spaced + frame({ event: 'message_end' }, '\r\n'))]);
    expect(ended).toBe(true);
    expect(answerOf(events)).toBe('检索');
  });

  it('fails, never completes, when the stream ends before message_end', () => {
    const cutMidFrame = CHAT_STREAM.slice(0, CHAT_STREAM.indexOf('message_end') - 10);
    const { ended, error, events } = decode([bytes(cutMidFrame)]);
    expect(ended).toBe(false);
    expect(error).toMatchObject({ kind: 'stream_interrupted', retryable: true });
    expect(events.length).toBeGreaterThan(0);
    expect(decode([bytes('')]).error?.kind).toBe('stream_interrupted');
  });

  it('fails with the classified error of an in-stream error event, and emits nothing after it', () => {
    const stream =
      frame({ event: 'message', answer: 'Hi' }) +
      `data: {"event":"error","conversation_id":"c-1","message_id":"m-1","status":400,"code":"completion_request_error","message":"[openai] boom"}\n\n` +
      frame({ event: 'message', answer: 'late' });
    const { events, error, ended } = decode([bytes(stream)]);
    expect(ended).toBe(false);
    expect(error).toMatchObject({ kind: 'rejected', status: 400, code: 'completion_request_error', retryable: false });
    expect(answerOf(events)).toBe('Hi');
  });

  it('replaces the answer on message_replace', () => {
    const stream =
      frame({ event: 'message', answer: 'bad words' }) +
      frame({ event: 'message_replace', answer: 'Sorry, I cannot answer that.', reason: '' }) +
      frame({ event: 'message_end' });
    const { events } = decode([bytes(stream)]);
    expect(events.map((e) => e.kind)).toEqual(['text', 'replace', 'end']);
    expect(answerOf(events)).toBe('Sorry, I cannot answer that.');
  });

  it("treats a New Agent's closing complete message as the whole answer, not more text", () => {
    const agent = (answer: string) => frame({ event: 'agent_message', answer });
    const same =
      agent('Paris ') +
      frame({ event: 'agent_thought', thought: 'look up' }) +
      agent('is sunny') +
      frame({ event: 'message', answer: 'Paris is sunny' }) +
      frame({ event: 'message_end' });
    const sameOutcome = decode([bytes(same)]);
    expect(sameOutcome.events.map((e) => e.kind)).toEqual(['text', 'progress', 'text', 'end']);
    expect(answerOf(sameOutcome.events)).toBe('Paris is sunny');

    const rewritten = agent('draft') + frame({ event: 'message', answer: 'Final answer.' }) + frame({ event: 'message_end' });
    expect(answerOf(decode([bytes(rewritten)]).events)).toBe('Final answer.');
  });

  it('reads text sent as message_file events (Dify 1.11.2+), and audio apart from the text', () => {
    const stream =
      frame({ event: 'message_file', id: 'f-1', type: 'image', belongs_to: 'assistant', url: 'http://x/f.png' }) +
      frame({ event: 'message_file', answer: 'text in a file event' }) +
      frame({ event: 'tts_message', audio: 'SUQz' }) +
      frame({ event: 'tts_message_end', audio: '' }) +
      frame({ event: 'message_end' });
    const { events } = decode([bytes(stream)]);
    expect(events.map((e) => e.kind)).toEqual(['progress', 'text', 'audio', 'audio', 'end']);
    expect(events.filter((e) => e.kind === 'audio')).toMatchObject([
      { audio: 'SUQz', end: false },
      { audio: '', end: true },
    ]);
  });

  it('reads on after message_end for the spoken answer when asked to, to tts_message_end or the end of the stream', () => {
    const stream =
      frame({ event: 'message', answer: 'hi' }) +
      frame({ event: 'message_end' }) +
      frame({ event: 'tts_message', audio: 'SUQz' }) +
      frame({ event: 'tts_message_end', audio: '' });
    expect(decode([bytes(stream)], { speech: true }).events.map((e) => e.kind)).toEqual(['text', 'end', 'audio', 'audio']);
    expect(decode([bytes(stream)], { speech: true, eof: false }).ended).toBe(true);
    expect(decode([bytes(stream)]).events.map((e) => e.kind)).toEqual(['text', 'end']);
    // An app without speech ends its stream after message_end: complete, not interrupted.
    const silent = decode([bytes(frame({ event: 'message', answer: 'hi' }) + frame({ event: 'message_end' }))], { speech: true });
    expect([silent.ended, silent.error]).toEqual([true, undefined]);
    const cut = decode([bytes(frame({ event: 'message_end' }) + frame({ event: 'tts_message', audio: 'SUQz' }))], { speech: true });
    expect([cut.ended, cut.error]).toEqual([true, undefined]);
  });

  it('names the steps: chatflow nodes with their type and title, an agent’s tool calls with the tool', () => {
    const stream =
      frame({ event: 'node_started', data: { node_type: 'knowledge-retrieval', title: 'Handbook' } }) +
      frame({ event: 'node_finished', data: { node_type: 'knowledge-retrieval', title: 'Handbook', status: 'succeeded' } }) +
      frame({ event: 'agent_thought', thought: 'I should look it up', tool: 'web_search', tool_input: '{}', observation: '' }) +
      frame({ event: 'agent_thought', thought: '', tool: 'web_search', observation: 'found it' }) +
      frame({ event: 'agent_thought', thought: 'done', tool: '' }) +
      frame({ event: 'message_end' });
    const steps = decode([bytes(stream)]).events.flatMap((e) => (e.kind === 'progress' ? [e.step] : []));
    expect(steps).toEqual([
      { type: 'knowledge-retrieval', name: 'Handbook', state: 'started' },
      { type: 'knowledge-retrieval', name: 'Handbook', state: 'finished' },
      { type: 'tool', name: 'web_search', state: 'started' },
      { type: 'tool', name: 'web_search', state: 'finished' },
      undefined,
    ]);
  });

  it('follows a chatflow: node events are progress, message_end completes, a failed run fails', () => {
    const run = (status: string) =>
      'event: ping\n\n' +
      frame({ event: 'workflow_started', workflow_run_id: 'w', data: { id: 'w' } }) +
      frame({ event: 'node_started', workflow_run_id: 'w', data: { node_type: 'llm' } }) +
      (status === 'succeeded' ? frame({ event: 'message', answer: 'ok' }) + frame({ event: 'message_end' }) : '') +
      frame({ event: 'workflow_finished', workflow_run_id: 'w', data: { status, error: 'Run failed: x' } });
    const success = decode([bytes(run('succeeded'))]);
    expect(success.ended).toBe(true);
    expect(answerOf(success.events)).toBe('ok');
    const failure = decode([bytes(run('failed'))]);
    expect(failure.error).toMatchObject({ kind: 'rejected', code: 'workflow_failed' });
    const paused = decode([bytes(frame({ event: 'human_input_required', data: {} }) + frame({ event: 'workflow_paused', data: {} }))]);
    expect(paused.error).toMatchObject({ code: 'workflow_paused' });
  });

  it('rejects a data frame that is not JSON', () => {
    expect(decode([bytes('data: {"event":"mess\n\n')]).error).toMatchObject({ kind: 'rejected' });
  });

  it('fails an event longer than DIFY_MAX_EVENT_CHARS as event_too_large, and takes one just within it', () => {
    const within = frame({ event: 'message', answer: 'x'.repeat(800) }) + frame({ event: 'message_end' });
    expect(answerOf(decode([bytes(within)], { maxEventChars: 1000 }).events)).toBe('x'.repeat(800));
    const tooLong = bytes(frame({ event: 'message', answer: 'x'.repeat(2000) }));
    const whole = decode([tooLong], { maxEventChars: 1000 });
    expect(whole.error).toMatchObject({ kind: 'event_too_large', retryable: false });
    const inPieces = decode([tooLong.slice(0, 700), tooLong.slice(700, 1400), tooLong.slice(1400)], { maxEventChars: 1000 });
    expect(inPieces.error).toMatchObject({ kind: 'event_too_large', retryable: false });
  });
});
