import type { ServerResponse } from 'node:http';
import { ComposedAnswer } from './answer-composer';
import { jsonFields, RequestBody } from './http-io';
import { LocalPlatformServer } from './local-platform-server';
import { PlatformFrames } from './platform-stream';
import { questionOf } from './query-faults';
import { SseWriter } from './sse-writer';

const SEARCH_NODE = '知识库搜索';
const CHAT_NODE = 'AI 对话';

/**
 * A FastGPT-compatible server (its OpenAPI chat: `POST /api/v1/chat/completions`), from the knowledge
 * base. It keeps each `chatId`'s turns (`chats`), reads `variables`, and with `detail: true` streams
 * named events: `flowNodeStatus` per workflow node, `answer` OpenAI chunks, `flowResponses` with the
 * search node's `quoteList`, `answer` `[DONE]` last (without `detail`, bare OpenAI chunks). Errors:
 * `{code, statusText, message}`, in-stream as `event: error`.
 */
export class LocalFastGptServer extends LocalPlatformServer {
  /** The questions asked in each chatId, oldest first: FastGPT keeps the history. */
  readonly chats = new Map<string, string[]>();

  listen(port = 0): Promise<{ port: number; baseUrl: string }> {
    return this.bind(port, '/api');
  }

  protected errorBody(status: number, message: string): object {
    return { code: status, statusText: status === 401 ? 'unAuthorization' : 'error', message, data: null };
  }

  protected async route(method: string, path: string, body: RequestBody, res: ServerResponse): Promise<boolean> {
    if (method !== 'POST' || path !== '/api/v1/chat/completions') return false;
    const fields = jsonFields(body);
    const question = questionOf(fields);
    if (!question?.trim()) return (this.fail(res, 400, 'messages is empty'), true);
    const chatId = typeof fields.chatId === 'string' ? fields.chatId : undefined;
    if (chatId) this.chats.set(chatId, [...(this.chats.get(chatId) ?? []), question]);
    const detail = fields.detail === true;
    await this.streamAnswer(res, question, fields, (composed) => this.frames(composed, detail));
    return true;
  }

  private frames(composed: ComposedAnswer, detail: boolean): PlatformFrames {
    const event = (name: string) => (detail ? name : undefined);
    const chunk = (content: string | undefined, finish: string | null) => ({
      id: '',
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: '',
      choices: [{ delta: content === undefined ? {} : { role: 'assistant', content }, index: 0, finish_reason: finish }],
    });
    const quoteList = composed.hits.map((hit, i) => ({
      id: `quote-${i}`,
      q: hit.section.text,
      a: '',
      sourceName: hit.section.title,
      sourceId: hit.section.document,
      datasetId: 'local-dataset',
      collectionId: hit.section.document,
      score: [{ type: 'embedding', value: hit.score, index: i }],
    }));
    const node = (writer: SseWriter, name: string) =>
      detail ? writer.frame({ status: 'running', name }, 'flowNodeStatus') : Promise.resolve();
    return {
      opening: (writer) => node(writer, SEARCH_NODE).then(() => node(writer, CHAT_NODE)),
      text: (writer, text) => writer.frame(chunk(text, null), event('answer')),
      end: async (writer) => {
        await writer.frame(chunk(undefined, 'stop'), event('answer'));
        if (detail) {
          await writer.frame(
            [
              { moduleName: SEARCH_NODE, moduleType: 'datasetSearchNode', quoteList },
              { moduleName: CHAT_NODE, moduleType: 'chatNode' },
            ],
            'flowResponses',
          );
        }
        await writer.frame('[DONE]', event('answer'));
      },
      error: (writer, step) => writer.frame({ message: step.message, statusText: step.code }, 'error'),
    };
  }
}
