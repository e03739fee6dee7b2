import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ComposedAnswer } from './answer-composer';
import { jsonFields, RequestBody } from './http-io';
import { LocalPlatformOptions, LocalPlatformServer } from './local-platform-server';
import { PlatformFrames } from './platform-stream';

export interface LocalRagflowOptions extends LocalPlatformOptions {
  /** The chat assistant's id (default 'local-chat'). */
  chatId?: string;
  /** Stream as RAGFlow up to v0.23 did: every frame's `answer` is the whole answer so far. */
  legacy?: boolean;
  /** Begin every answer with a reasoning span (`<think>…</think>`), as a reasoning model's answer does. */
  thinking?: boolean;
}

/** What the local server "thinks" before answering, when `thinking` is on. */
export const LOCAL_THINKING = '<think>The user asks something; the knowledge base has a section on it.</think>';

const hexId = () => randomUUID().replaceAll('-', '');

/**
 * A RAGFlow-compatible server (the HTTP API reference's chat assistant completions), from the
 * knowledge base: `POST /api/v1/chats/{chat_id}/completions` streaming `data: {code, message, data}`
 * frames (a session created when the request names none, its id in every frame; `reference.chunks`
 * with the cited sections; `data: true` last), `GET /api/v1/chats?id=`. Its quirks: errors as HTTP 200
 * with a non-zero `code` (109 for a bad key), the cumulative stream of ≤ v0.23 (`legacy`), reasoning
 * inline in the answer (`thinking`).
 */
export class LocalRagflowServer extends LocalPlatformServer {
  /** Sessions by id: the chat and the user that made each. */
  readonly sessions = new Map<string, { chatId: string; turns: number }>();
  private readonly chatId: string;

  constructor(private readonly ragflow: LocalRagflowOptions = {}) {
    super(ragflow);
    this.chatId = ragflow.chatId ?? 'local-chat';
  }

  listen(port = 0): Promise<{ port: number; baseUrl: string }> {
    return this.bind(port, '');
  }

  protected errorBody(status: number, message: string): object {
    return { code: status === 401 ? 109 : status, message, data: null };
  }

  /** RAGFlow refuses a bad key with HTTP 200 and its own code 109. */
  protected override fail(res: ServerResponse, status: number, message: string, html = false): void {
    if (status === 401) this.json(res, this.errorBody(status, message));
    else super.fail(res, status, message, html);
  }

  protected async route(method: string, path: string, body: RequestBody, res: ServerResponse): Promise<boolean> {
    if (method === 'GET' && path.startsWith('/api/v1/chats?')) {
      const id = new URL(path, 'http://local').searchParams.get('id');
      this.json(
        res,
        id === this.chatId
          ? { code: 0, data: [{ id: this.chatId, name: 'Local chat' }] }
          : { code: 102, message: "The chat doesn't exist" },
      );
      return true;
    }
    const match = /^\/api\/v1\/chats\/([^/?]+)\/completions$/.exec(path);
    if (method !== 'POST' || !match) return false;
    if (decodeURIComponent(match[1]) !== this.chatId) return (this.json(res, { code: 102, message: "You don't own the chat" }), true);
    const fields = jsonFields(body);
    const question = typeof fields.question === 'string' ? fields.question : '';
    if (!question.trim()) return (this.json(res, { code: 102, message: '`question` is required.' }), true);
    let sessionId = typeof fields.session_id === 'string' ? fields.session_id : '';
    if (sessionId && this.sessions.get(sessionId)?.chatId !== this.chatId) {
      return (this.json(res, { code: 102, message: "You don't own the session" }), true);
    }
    if (!sessionId) this.sessions.set((sessionId = hexId()), { chatId: this.chatId, turns: 0 });
    this.sessions.get(sessionId)!.turns++;
    await this.streamAnswer(res, question, fields, (composed) => this.frames(composed, sessionId));
    return true;
  }

  private frames(composed: ComposedAnswer, sessionId: string): PlatformFrames {
    const id = hexId();
    const legacy = this.ragflow.legacy ?? false;
    const reference = {
      total: composed.hits.length,
      chunks: composed.hits.map((hit, i) => ({
        id: `chunk-${i}`,
        content: hit.section.text,
        document_id: hit.section.document,
        document_name: hit.section.title,
        dataset_id: 'local-dataset',
        similarity: hit.score,
      })),
      doc_aggs: [],
    };
    const frame = (answer: string, ref: object = {}, final = false) => ({
      code: 0,
      message: '',
      data: { answer, reference: ref, audio_binary: null, id, session_id: sessionId, ...(final ? { final: true } : {}) },
    });
    return {
      text: (writer, text, soFar) => writer.frame(frame(legacy ? soFar : text)),
      end: async (writer, answer) => {
        await writer.frame(frame(answer, reference, !legacy));
        await writer.frame({ code: 0, message: '', data: true });
      },
      error: (writer, step) =>
        writer.frame({ code: 500, message: `**ERROR**: ${step.message}`, data: { answer: `**ERROR**: ${step.message}`, reference: [] } }),
    };
  }

  /** The reasoning goes out first, cut into pieces like any text: its markers land inside pieces. */
  protected override generated(answer: string): string {
    return this.ragflow.thinking ? `${LOCAL_THINKING}${answer}` : answer;
  }

  private json(res: ServerResponse, body: object): void {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }
}
