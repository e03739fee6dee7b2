import type { EventSourceMessage } from 'eventsource-parser';
import type { DifyErrorKind, DifyRetrieverResource } from '../../dify';
import { FrameReader, FrameResult } from '../sse-call';
import { ThinkingFilter, withoutThinking } from '../thinking-filter';
import type { UpstreamEvent } from '../upstream';
import { kindOfStatus, UpstreamError } from '../upstream-error';
import { ragflowSources } from './ragflow-reference';
import { RagflowStreamMode } from './ragflow-settings';

interface RagflowFrame {
  code?: unknown;
  message?: unknown;
  data?: boolean | { answer?: unknown; reference?: unknown; id?: unknown; session_id?: unknown; final?: unknown };
}

/**
 * RAGFlow's chat completions stream: `data: {code, message, data:{answer, reference, id, session_id}}`
 * frames until `data: {code:0, data:true}`. Up to v0.23 each `answer` is the whole answer so far
 * (`legacy`), since then the new text (`delta`); `auto` decides at the second non-empty answer:
 * one that starts with everything heard so far is cumulative. In cumulative mode an answer that no
 * longer starts with the previous one (RAGFlow rewrote it: citations, a removed reasoning span)
 * becomes a `replace`. `<think>…</think>` never reaches the answer text.
 */
export class RagflowFrames implements FrameReader {
  private mode: RagflowStreamMode;
  /** The text as received: the last cumulative answer, or the deltas so far. */
  private raw = '';
  private answers = 0;
  private sources: DifyRetrieverResource[] = [];
  private ids = { messageId: '', conversationId: '' };
  private readonly steps: UpstreamEvent[] = [];
  private readonly thinking = new ThinkingFilter((state) => this.steps.push(this.step(state)));

  constructor(mode: RagflowStreamMode) {
    this.mode = mode;
  }

  read(message: EventSourceMessage): FrameResult {
    let frame: RagflowFrame;
    try {
      frame = JSON.parse(message.data) as RagflowFrame;
    } catch {
      throw UpstreamError.of('ragflow', 'rejected', 'sent a stream frame that is not JSON');
    }
    if (frame.code !== undefined && frame.code !== 0) throw ragflowError(frame.code, frame.message);
    if (frame.data === true) return { events: this.closing(), done: true };
    if (!frame.data || typeof frame.data !== 'object') return { events: [] };
    const { answer, reference, id, session_id: session } = frame.data;
    if (typeof id === 'string' && id) this.ids.messageId = id;
    if (typeof session === 'string' && session) this.ids.conversationId = session;
    const sources = ragflowSources(reference);
    if (sources.length > 0) this.sources = sources;
    return { events: typeof answer === 'string' ? this.onAnswer(answer, frame.data.final === true) : [] };
  }

  finish(): UpstreamEvent[] {
    throw UpstreamError.of('ragflow', 'stream_interrupted', 'stream ended before its last frame');
  }

  jsonBody(body: string): UpstreamError {
    try {
      const { code, message } = JSON.parse(body) as RagflowFrame;
      return ragflowError(code, message);
    } catch {
      return UpstreamError.of('ragflow', 'rejected', 'answered JSON that is not an error envelope');
    }
  }

  private onAnswer(answer: string, final: boolean): UpstreamEvent[] {
    if (answer === '') return [];
    this.answers++;
    if (this.mode === 'auto' && this.answers === 2) this.mode = answer.startsWith(this.raw) ? 'legacy' : 'delta';
    let delta: string;
    if (this.mode === 'legacy') {
      if (!answer.startsWith(this.raw)) {
        this.raw = answer;
        return [{ kind: 'replace', text: withoutThinking(answer), ...this.ids }];
      }
      delta = answer.slice(this.raw.length);
      this.raw = answer;
    } else {
      // The closing frame of a delta stream may repeat the whole answer, with its reference.
      if ((final || this.sources.length > 0) && answer === this.raw) return [];
      delta = answer;
      this.raw += answer;
    }
    const text = this.thinking.push(delta);
    const events = this.steps.splice(0);
    if (text) events.push({ kind: 'text', text, ...this.ids });
    return events;
  }

  private closing(): UpstreamEvent[] {
    const rest = this.thinking.flush();
    const events: UpstreamEvent[] = rest ? [{ kind: 'text', text: rest, ...this.ids }] : [];
    events.push({ kind: 'end', retrieverResources: this.sources, ...this.ids });
    return events;
  }

  private step(state: 'started' | 'finished'): UpstreamEvent {
    return { kind: 'progress', event: 'thinking', step: { type: 'thinking', state }, ...this.ids };
  }
}

/**
 * RAGFlow's business codes (beside the HTTP status): 109 and 108 are the key's, a session it does not
 * know (or not this chat's) is a lost conversation, HTTP-like codes classify as HTTP statuses.
 */
export function ragflowError(code: unknown, message: unknown): UpstreamError {
  const number = typeof code === 'number' ? code : 500;
  const text = typeof message === 'string' ? message : '';
  let kind: DifyErrorKind = number >= 400 ? kindOfStatus(number) : 'rejected';
  if (number === 108 || number === 109) kind = 'unauthorized';
  if (/session/i.test(text) && /(not found|doesn't exist|does not exist|don't own|do not own)/i.test(text)) kind = 'conversation_not_found';
  return new UpstreamError('ragflow', kind, `RAGFlow answered code ${number}`, number >= 400 ? number : undefined, String(number));
}
