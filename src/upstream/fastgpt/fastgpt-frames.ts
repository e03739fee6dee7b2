import type { EventSourceMessage } from 'eventsource-parser';
import type { DifyRetrieverResource } from '../../dify';
import { FrameReader, FrameResult } from '../sse-call';
import { ThinkingFilter } from '../thinking-filter';
import type { UpstreamEvent } from '../upstream';
import { UpstreamError } from '../upstream-error';

interface Quote {
  id?: unknown;
  q?: unknown;
  a?: unknown;
  sourceName?: unknown;
  sourceId?: unknown;
  datasetId?: unknown;
  collectionId?: unknown;
  score?: unknown;
}

interface NodeResponse {
  quoteList?: Quote[];
}

/**
 * FastGPT's `detail: true` stream: named events. `answer` and `fastAnswer` carry OpenAI chunks
 * (text), `flowNodeStatus` a workflow node starting (our `progress`), `toolCall`/`toolResponse` a
 * tool's, `flowResponses` (v1; `flowNodeResponse` per node in v2) the nodes' results, whose
 * `quoteList`s are our sources; `error` fails the answer, `interactive` too (it waits for a user
 * choice this service cannot give). `event: answer` `data: [DONE]` ends it.
 */
export class FastGptFrames implements FrameReader {
  private sources: DifyRetrieverResource[] = [];
  private readonly steps: UpstreamEvent[] = [];
  private readonly thinking = new ThinkingFilter((state) => this.steps.push(this.step('thinking', undefined, state)));

  constructor(private readonly ids: { messageId: string; conversationId: string }) {}

  read(message: EventSourceMessage): FrameResult {
    const event = message.event ?? 'answer';
    if ((event === 'answer' || event === 'fastAnswer') && message.data.trim() === '[DONE]') return { events: this.closing(), done: true };
    const data = parse(message.data);
    switch (event) {
      case 'answer':
      case 'fastAnswer':
        return { events: this.text(data) };
      case 'flowNodeStatus': {
        const name = (data as { name?: unknown }).name;
        return { events: [this.step('node', typeof name === 'string' ? name : undefined, 'started')] };
      }
      case 'toolCall':
      case 'toolResponse': {
        const tool = (data as { toolName?: unknown }).toolName;
        return { events: [this.step('tool', typeof tool === 'string' ? tool : undefined, event === 'toolCall' ? 'started' : 'finished')] };
      }
      case 'flowResponses':
      case 'flowNodeResponse':
        this.addQuotes(Array.isArray(data) ? (data as NodeResponse[]) : [data as NodeResponse]);
        return { events: [] };
      case 'error': {
        const { statusText, code } = data as { statusText?: unknown; code?: unknown };
        const said =
          typeof statusText === 'string' ? statusText : typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
        throw new UpstreamError('fastgpt', 'rejected', 'FastGPT failed the answer', undefined, said);
      }
      case 'interactive':
        throw new UpstreamError('fastgpt', 'rejected', 'FastGPT paused the workflow for a user choice', undefined, 'interactive');
      default:
        return { events: [] }; // updateVariables, toolParams, …: not the client's business
    }
  }

  finish(): UpstreamEvent[] {
    throw UpstreamError.of('fastgpt', 'stream_interrupted', 'stream ended before [DONE]');
  }

  private text(chunk: unknown): UpstreamEvent[] {
    const content = (chunk as { choices?: Array<{ delta?: { content?: unknown } }> }).choices?.[0]?.delta?.content;
    if (typeof content !== 'string') return [];
    const text = this.thinking.push(content);
    const events = this.steps.splice(0);
    if (text) events.push({ kind: 'text', text, ...this.ids });
    return events;
  }

  private addQuotes(nodes: NodeResponse[]): void {
    for (const node of nodes) {
      for (const quote of node?.quoteList ?? []) {
        this.sources.push({
          position: this.sources.length + 1,
          dataset_id: text(quote.datasetId),
          document_id: text(quote.collectionId ?? quote.sourceId),
          document_name: text(quote.sourceName),
          segment_id: text(quote.id),
          score: quoteScore(quote.score),
          content: [text(quote.q), text(quote.a)].filter(Boolean).join('\n'),
        });
      }
    }
  }

  private closing(): UpstreamEvent[] {
    const rest = this.thinking.flush();
    const events: UpstreamEvent[] = rest ? [{ kind: 'text', text: rest, ...this.ids }] : [];
    events.push({ kind: 'end', retrieverResources: this.sources, ...this.ids });
    return events;
  }

  private step(type: string, name: string | undefined, state: 'started' | 'finished'): UpstreamEvent {
    return { kind: 'progress', event: type, step: { type, ...(name ? { name } : {}), state }, ...this.ids };
  }
}

function parse(data: string): unknown {
  try {
    return JSON.parse(data) ?? {};
  } catch {
    throw UpstreamError.of('fastgpt', 'rejected', 'sent a stream frame that is not JSON');
  }
}

/** A quote's score: a number, or (FastGPT ≥ 4.8) a list of `{type, value}` whose first is the best. */
function quoteScore(score: unknown): number | undefined {
  const first: unknown = Array.isArray(score) ? (score[0] as { value?: unknown } | undefined)?.value : score;
  return typeof first === 'number' ? first : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
