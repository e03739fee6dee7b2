import { createParser, EventSourceMessage, EventSourceParser } from 'eventsource-parser';
import { DifyError } from './dify-error';
import { DifyEvent, DifyRetrieverResource, DifyUsage } from './dify.types';

/** Finds the first non-blank character without copying the frame, as trim() would for every event. */
const NON_BLANK = /\S/;

export interface DifyStreamSink {
  event(event: DifyEvent): void;
  /** The answer is complete: nothing more will be emitted. */
  end(): void;
  error(error: DifyError): void;
}

/** The fields of Dify's stream frames that we read; every frame is one JSON object whose `event` names it. */
interface DifyFrame {
  event?: string;
  task_id?: string;
  message_id?: string;
  conversation_id?: string;
  answer?: unknown;
  status?: unknown;
  code?: unknown;
  message?: unknown;
  metadata?: { usage?: DifyUsage; retriever_resources?: DifyRetrieverResource[] };
  data?: { status?: string; node_type?: unknown; title?: unknown };
  /** agent_thought: the tool it calls (empty when it only thinks), and what the tool said once it did. */
  tool?: unknown;
  observation?: unknown;
  /** tts_message: base64 MP3. */
  audio?: unknown;
}

/**
 * Turns the bytes of a Dify `text/event-stream` response into normalised events, however the network
 * cut them (inside a line, inside a UTF-8 character), and decides when the answer is complete:
 * `message_end` ends it, an `error` event or a failed workflow fails it, and end of input before
 * either is a failure, never a complete answer.
 */
export class DifyStreamDecoder {
  private readonly utf8 = new TextDecoder('utf-8');
  private readonly parser: EventSourceParser;
  private done = false;
  /** Text appended from `agent_message` events, to recognise a New Agent's closing `message`. */
  private agentAnswer: string | undefined;
  /** `message_end` came, and the spoken answer is read on (speech). */
  private textEnded = false;

  constructor(
    private readonly sink: DifyStreamSink,
    /** DIFY_MAX_EVENT_CHARS: far above any real event (a `message_end` with many retriever resources is some KiB). */
    private readonly maxEventChars: number,
    /**
     * Read on after `message_end` for the spoken answer: Dify sends the audio still synthesised after
     * the text, then `tts_message_end`, then ends the stream (at once when the app has no speech).
     */
    private readonly speech = false,
  ) {
    this.parser = createParser({
      // The parser bounds what it buffers of an event still arriving; onMessage checks one that came whole.
      maxBufferSize: maxEventChars,
      onEvent: (message) => this.onMessage(message),
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') this.tooLarge();
      },
    });
  }

  get finished(): boolean {
    return this.done;
  }

  push(bytes: Uint8Array): void {
    if (!this.done) this.parser.feed(this.utf8.decode(bytes, { stream: true }));
  }

  /** The HTTP body ended. */
  finish(): void {
    if (this.done) return;
    // An event cut off by the end of input is discarded, as SSE prescribes.
    if (this.textEnded) this.complete();
    else this.fail(new DifyError('stream_interrupted', 'Dify stream ended before message_end'));
  }

  private onMessage(message: EventSourceMessage): void {
    // Keep-alives are a bare `event: ping` line; Dify's data frames carry no `event:` line.
    if (this.done || message.event === 'ping' || !NON_BLANK.test(message.data)) return;
    if (message.data.length > this.maxEventChars) return this.tooLarge();
    let frame: DifyFrame;
    try {
      frame = JSON.parse(message.data) as DifyFrame;
    } catch {
      this.fail(new DifyError('rejected', 'Dify sent a stream frame that is not JSON'));
      return;
    }
    this.onFrame(frame);
  }

  private onFrame(frame: DifyFrame): void {
    const ids = {
      taskId: frame.task_id,
      messageId: frame.message_id ?? '',
      conversationId: frame.conversation_id ?? '',
    };
    const event = frame.event ?? '';
    switch (event) {
      case 'error':
        this.fail(DifyError.fromEnvelope(numberOr(frame.status, 500), stringOr(frame.code), stringOr(frame.message)));
        return;
      case 'message_end':
        this.sink.event({
          kind: 'end',
          ...ids,
          usage: frame.metadata?.usage,
          retrieverResources: frame.metadata?.retriever_resources ?? [],
        });
        if (this.speech) this.textEnded = true;
        else this.complete();
        return;
      case 'message_replace':
        this.sink.event({ kind: 'replace', ...ids, text: stringOr(frame.answer) ?? '' });
        return;
      case 'agent_message':
        this.agentAnswer = (this.agentAnswer ?? '') + (stringOr(frame.answer) ?? '');
        this.sink.event({ kind: 'text', ...ids, text: stringOr(frame.answer) ?? '' });
        return;
      case 'message':
        this.onMessageText(ids, stringOr(frame.answer) ?? '');
        return;
      case 'workflow_finished':
        this.onWorkflowFinished(frame);
        return;
      case 'workflow_paused':
        this.fail(new DifyError('rejected', 'Dify paused the workflow for human input', undefined, 'workflow_paused'));
        return;
      case 'node_started':
      case 'node_finished': {
        const type = stringOr(frame.data?.node_type) ?? 'node';
        const state = event === 'node_started' ? 'started' : 'finished';
        this.sink.event({ kind: 'progress', ...ids, event, step: { type, name: stringOr(frame.data?.title), state } });
        return;
      }
      case 'agent_thought': {
        const tool = stringOr(frame.tool);
        const state = stringOr(frame.observation) ? 'finished' : 'started';
        this.sink.event({ kind: 'progress', ...ids, event, ...(tool ? { step: { type: 'tool', name: tool, state } } : {}) });
        return;
      }
      case 'tts_message':
      case 'tts_message_end':
        this.sink.event({ kind: 'audio', ...ids, audio: stringOr(frame.audio) ?? '', end: event === 'tts_message_end' });
        if (event === 'tts_message_end' && this.textEnded) this.complete();
        return;
      default:
        // Since Dify 1.11.2 a chat app may send text deltas as `message_file` events: an `answer` is text.
        if (typeof frame.answer === 'string') this.sink.event({ kind: 'text', ...ids, text: frame.answer });
        else this.sink.event({ kind: 'progress', ...ids, event });
    }
  }

  /** A New Agent app closes its `agent_message` deltas with one `message` holding the complete answer. */
  private onMessageText(ids: { taskId?: string; messageId: string; conversationId: string }, text: string): void {
    if (this.agentAnswer === undefined) {
      this.sink.event({ kind: 'text', ...ids, text });
    } else if (text !== this.agentAnswer) {
      this.agentAnswer = text;
      this.sink.event({ kind: 'replace', ...ids, text });
    }
  }

  /** Chatflow: `message_end` normally comes first and completes; on its own this event ends the run. */
  private onWorkflowFinished(frame: DifyFrame): void {
    const status = frame.data?.status;
    if (status === 'failed') {
      this.fail(new DifyError('rejected', 'Dify workflow failed', undefined, 'workflow_failed'));
    } else {
      this.complete();
    }
  }

  private tooLarge(): void {
    this.fail(new DifyError('event_too_large', `Dify sent a stream event longer than ${this.maxEventChars} characters`));
  }

  private complete(): void {
    this.done = true;
    this.sink.end();
  }

  private fail(error: DifyError): void {
    // After the text's end only the spoken answer is lost: the answer is complete.
    if (this.textEnded) return this.complete();
    this.done = true;
    this.sink.error(error);
  }
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
