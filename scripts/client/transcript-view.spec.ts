import type { AnswerUpdate } from '../../client/src/realtime-rag-client.ts';
import { TranscriptView } from './transcript-view';

const S = { session_id: 's-1' };
/** An answer update as the client library gives it. */
const update = (delta: string, text: string, extra: Partial<AnswerUpdate> = {}): AnswerUpdate => ({
  answerId: 'a-1',
  text,
  delta,
  replaced: false,
  final: false,
  ...extra,
});

/** A terminal stand-in that keeps what was written, without colours (not a TTY). */
function screen(isTTY = false) {
  let text = '';
  const out = { isTTY, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream;
  // eslint-disable-next-line no-control-regex -- terminal escape sequences are what it strips
  return { view: new TranscriptView(out), text: () => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '') };
}

describe('TranscriptView', () => {
  it('shows the speech, statuses, the answer streaming on one line, sources and timing', () => {
    const { view, text } = screen();
    view.connection({ state: 'open', everOpened: true }, 's-1');
    view.said('什么是 RAG？');
    view.show({ type: 'status', stage: 'analyzing', question: '什么是 RAG？', ...S });
    view.answer(update('RAG 是', 'RAG 是'));
    view.answer(update('检索增强生成。', 'RAG 是检索增强生成。'));
    view.answer(update('', 'RAG 是检索增强生成。', { final: true, finishReason: 'complete' }));
    view.show({ type: 'sources', sources: [{ position: 1, document_name: 'rag-zh.md', score: 0.8123, content: '检索增强生成 …' }], ...S });
    view.show({ type: 'usage', finish_reason: 'complete', first_chunk_ms: 40, duration_ms: 300, total_tokens: 12, ...S });
    expect(text()).toBe(
      [
        'connected · session s-1',
        '🎤 什么是 RAG？',
        '  · analyzing',
        '🤖 RAG 是检索增强生成。',
        '  sources:',
        '   [1] rag-zh.md 0.81 · 检索增强生成 ……',
        '  first chunk 40 ms · 300 ms · 12 tokens',
        '',
      ].join('\n'),
    );
  });

  it('marks an interrupted answer and shows errors', () => {
    const { view, text } = screen();
    view.answer(update('RAG', 'RAG'));
    view.show({ type: 'status', stage: 'interrupting', ...S });
    view.answer(update('', 'RAG', { final: true, finishReason: 'interrupted' }));
    view.show({ type: 'error', code: 'UPSTREAM_TIMEOUT', message: 'Dify did not answer in time.', retryable: true, ...S });
    expect(text()).toBe('🤖 RAG\n  · interrupting\n🤖 … [interrupted]\n  ✗ UPSTREAM_TIMEOUT: Dify did not answer in time. (retryable)\n');
  });

  it('carries an answer on after a reconnect, and starts a replaced one anew', () => {
    const { view, text } = screen();
    view.answer(update('RAG 是', 'RAG 是'));
    view.connection({ state: 'reconnecting', ended: { code: 1006, reason: '' }, retryInMs: 250, everOpened: true });
    view.connection({ state: 'open', everOpened: true }, 's-1');
    view.answer(update('检索', 'RAG 是检索'));
    view.answer(update('抱歉。', '抱歉。', { replaced: true }));
    view.answer(update('', '抱歉。', { final: true, finishReason: 'lost' }));
    expect(text()).toBe(
      [
        '🤖 RAG 是',
        '  · connection lost (1006); reconnecting in 250 ms',
        'connected · session s-1',
        '🤖 …检索',
        '🤖 抱歉。 [lost]',
        '',
      ].join('\n'),
    );
  });

  it('rewrites partials in place on a terminal, then replaces them with what was said', () => {
    const { view, text } = screen(true);
    view.partial('年假');
    view.partial('年假有');
    view.said('年假有几天？');
    expect(text().split('\r').at(-1)).toBe('🎤 年假有几天？\n');
  });
});
