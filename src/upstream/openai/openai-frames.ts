import type { EventSourceMessage } from 'eventsource-parser';
import type { DifyUsage } from '../../dify';
import { FrameReader, FrameResult } from '../sse-call';
import { ThinkingFilter } from '../thinking-filter';
import type { UpstreamEvent } from '../upstream';
import { UpstreamError } from '../upstream-error';

interface ChatCompletionChunk {
  id?: string;
  choices?: Array<{ delta?: { content?: unknown; reasoning_content?: unknown }; finish_reason?: unknown }>;
  usage?: DifyUsage | null;
  error?: { code?: unknown; type?: unknown };
}

/**
 * An OpenAI chat-completions stream: `chat.completion.chunk` deltas until `data: [DONE]`. Reasoning
 * (`reasoning_content`, or `<think>` inline) is never answer text; `usage` is kept when the server
 * sends it (`stream_options.include_usage`: a last chunk with no choices). A server that ends the
 * body after a `finish_reason` without `[DONE]` has completed; before one, the answer was cut.
 */
export class OpenAiFrames implements FrameReader {
  private messageId = '';
  private usage?: DifyUsage;
  private finished = false;
  private thinkingSaid = false;
  private readonly thinking = new ThinkingFilter((state) => this.pending.push(this.step(state)));
  private pending: UpstreamEvent[] = [];

  read(message: EventSourceMessage): FrameResult {
    if (message.data.trim() === '[DONE]') return { events: this.closing(), done: true };
    let chunk: ChatCompletionChunk;
    try {
      chunk = JSON.parse(message.data) as ChatCompletionChunk;
    } catch {
      throw UpstreamError.of('openai', 'rejected', 'sent a stream frame that is not JSON');
    }
    if (chunk.error) {
      const code = chunk.error.code ?? chunk.error.type;
      throw new UpstreamError(
        'openai',
        'rejected',
        'The OpenAI-compatible server failed the answer',
        undefined,
        typeof code === 'string' ? code : undefined,
      );
    }
    this.messageId ||= chunk.id ?? '';
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (choice?.finish_reason) this.finished = true;
    const events: UpstreamEvent[] = [];
    if (typeof choice?.delta?.reasoning_content === 'string' && choice.delta.reasoning_content && !this.thinkingSaid) {
      this.thinkingSaid = true;
      events.push(this.step('started'));
    }
    if (typeof choice?.delta?.content === 'string') {
      const text = this.thinking.push(choice.delta.content);
      events.push(...this.pending.splice(0));
      if (text) events.push({ kind: 'text', text, ...this.ids() });
    }
    return { events };
  }

  finish(): UpstreamEvent[] {
    if (!this.finished) throw UpstreamError.of('openai', 'stream_interrupted', 'stream ended before [DONE]');
    return this.closing();
  }

  private closing(): UpstreamEvent[] {
    const rest = this.thinking.flush();
    const events: UpstreamEvent[] = rest ? [{ kind: 'text', text: rest, ...this.ids() }] : [];
    events.push({ kind: 'end', usage: this.usage, retrieverResources: [], ...this.ids() });
    return events;
  }

  private step(state: 'started' | 'finished'): UpstreamEvent {
    return { kind: 'progress', event: 'thinking', step: { type: 'thinking', state }, ...this.ids() };
  }

  /** A stateless server has no conversation: the session's memory is ours (TurnMemory). */
  private ids() {
    return { messageId: this.messageId, conversationId: '' };
  }
}
