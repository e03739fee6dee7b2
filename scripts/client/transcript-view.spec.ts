import { partials } from './speech';
import { TranscriptView } from './transcript-view';

/** A terminal stand-in that keeps what was written, without colours (not a TTY). */
function screen(isTTY = false) {
  let text = '';
  const out = { isTTY, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream;
  // eslint-disable-next-line no-control-regex -- terminal escape sequences are what it strips
  return { view: new TranscriptView(out), text: () => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '') };
}

describe('partials', () => {
  it('grows Chinese by character and other text by word, up to three steps before the final', () => {
    expect(partials('年假有几天')).toEqual(['年假', '年假有', '年假有几']);
    expect(partials('what is RAG?')).toEqual(['what', 'what is']);
    expect(partials('RAG')).toEqual([]);
  });
});

describe('TranscriptView', () => {
  it('shows the speech, statuses, the answer streaming on one line, sources and timing', () => {
    const { view, text } = screen();
    view.said('什么是 RAG？');
    view.show({ type: 'status', stage: 'analyzing', question: '什么是 RAG？' });
    view.show({ type: 'answer', stream_index: 0, content: 'RAG 是', final: false });
    view.show({ type: 'answer', stream_index: 1, content: '检索增强生成。', final: false });
    view.show({ type: 'answer', stream_index: 2, content: '', final: true, finish_reason: 'complete' });
    view.show({ type: 'sources', sources: [{ position: 1, document_name: 'rag-zh.md', score: 0.8123, content: '检索增强生成 …' }] });
    view.show({ type: 'usage', finish_reason: 'complete', first_chunk_ms: 40, duration_ms: 300, total_tokens: 12 });
    expect(text()).toBe(
      [
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
    view.show({ type: 'answer', stream_index: 0, content: 'RAG', final: false });
    view.show({ type: 'status', stage: 'interrupting' });
    view.show({ type: 'answer', stream_index: 1, content: '', final: true, finish_reason: 'interrupted' });
    view.show({ type: 'error', code: 'UPSTREAM_TIMEOUT', message: 'Dify did not answer in time.', retryable: true });
    expect(text()).toBe('🤖 RAG\n  · interrupting\n [interrupted]\n  ✗ UPSTREAM_TIMEOUT: Dify did not answer in time. (retryable)\n');
  });

  it('rewrites partials in place on a terminal, then replaces them with what was said', () => {
    const { view, text } = screen(true);
    view.partial('年假');
    view.partial('年假有');
    view.said('年假有几天？');
    expect(text().split('\r').at(-1)).toBe('🎤 年假有几天？\n');
  });
});
