import { ChatClient, CompletionClient } from 'dify-client';
import type { Readable } from 'node:stream';
import { difyEvents } from '../../test/support/dify-sse';
import { LocalDifyServer } from './local-dify-server';

/**
 * The server as Dify's official Node SDK (`dify-client` 2.3.2, axios) sees it: every method it has
 * for a chat app, and the two of other app types, which a chat app's key is refused.
 */
const KEY = 'app-sdk';
const USER = 'sdk-user';
const UUID = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/** The SDK resolves with axios responses typed `any`; a test names what it expects. */
interface Reply<T = Record<string, unknown>> {
  status: number;
  data: T;
}
const reply = <T = Record<string, unknown>>(call: Promise<unknown>) => call as Promise<Reply<T>>;
interface ChatReply {
  conversation_id: string;
  message_id: string;
  answer: string;
}
interface Page<T> {
  limit: number;
  has_more: boolean;
  data: T[];
}
type MessageItem = { id: string; feedback: { rating: string } | null };
/** axios rejects non-2xx answers: the response it carried. */
const refusal = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: { response: Reply }) => error.response,
  );

describe('LocalDifyServer through the official dify-client SDK', () => {
  let server: LocalDifyServer;
  let baseUrl: string;
  let client: ChatClient;

  beforeAll(async () => {
    server = new LocalDifyServer({ apiKeys: [KEY], chunkDelayMs: 0, firstChunkDelayMs: 0, tts: true });
    baseUrl = (await server.listen()).baseUrl;
    client = new ChatClient(KEY, baseUrl);
  });
  afterAll(() => server.close());

  it('reads the app parameters', async () => {
    const { status, data } = await reply<{ suggested_questions: string[] }>(client.getApplicationParameters(USER));
    expect(status).toBe(200);
    expect(data).toMatchObject({
      text_to_speech: { enabled: true, autoPlay: 'enabled' },
      suggested_questions_after_answer: { enabled: true },
    });
    expect(data.suggested_questions.length).toBeGreaterThan(0);
  });

  it('chats blocking and streaming, in one conversation, and lists its messages and conversations', async () => {
    const blocking = await reply<ChatReply>(client.createChatMessage({}, 'What is RAG?', USER));
    expect(blocking.status).toBe(200);
    expect(blocking.data).toMatchObject({ event: 'message', mode: 'chat', conversation_id: UUID, message_id: UUID, task_id: UUID });
    expect(blocking.data.answer).toContain('RAG');
    const conversationId = blocking.data.conversation_id;

    const stream = await reply<Readable>(client.createChatMessage({}, 'What are its advantages?', USER, true, conversationId));
    expect(stream.status).toBe(200);
    const events = await difyEvents(stream.data);
    const text = events.filter((e) => e.event === 'message').map((e) => e.answer);
    expect(text.join('')).toContain('RAG');
    expect(events.map((e) => e.event).filter((e, i, all) => e !== all[i - 1])).toEqual([
      'message',
      'message_end',
      'tts_message',
      'tts_message_end',
    ]);
    expect(events.every((e) => e.conversation_id === conversationId)).toBe(true);

    const history = await reply<Page<MessageItem>>(client.getConversationMessages(USER, conversationId, null, 1));
    expect(history.data).toMatchObject({ limit: 1, has_more: true, data: [{ query: 'What are its advantages?' }] });
    const older = await reply(client.getConversationMessages(USER, conversationId, history.data.data[0].id, 20));
    expect(older.data).toMatchObject({ has_more: false, data: [{ id: blocking.data.message_id, answer: blocking.data.answer }] });

    await reply(client.createChatMessage({}, '年假有几天？', USER));
    const listed = await reply(client.getConversations(USER, null, 1));
    expect(listed.data).toMatchObject({ limit: 1, has_more: true, data: [{ name: '年假有几天？' }] });
    const all = await reply<Page<{ name: string }>>(client.getConversations(USER));
    expect(all.data.data.map((c) => c.name)).toEqual(['年假有几天？', 'What is RAG?']);
  });

  it('rates a message and revokes the rating', async () => {
    const { data: message } = await reply<ChatReply>(client.createChatMessage({}, 'How do I reset my VPN password?', USER));
    // The SDK's types say rating is a number; Dify, the SDK's docs and its code send 'like' | 'dislike' | null.
    const rate = (rating: string | null) => reply(client.messageFeedback(message.message_id, rating as unknown as number, USER));
    expect((await rate('like')).data).toEqual({ result: 'success' });
    const rated = await reply<Page<MessageItem>>(client.getConversationMessages(USER, message.conversation_id));
    expect(rated.data.data[0].feedback).toEqual({ rating: 'like' });
    expect((await rate(null)).data).toEqual({ result: 'success' });
    expect((await refusal(rate(null))).data).toMatchObject({ status: 400, code: 'invalid_param' });
    const foreign = await refusal(client.messageFeedback(message.message_id, 'like' as unknown as number, 'someone-else'));
    expect([foreign.status, foreign.data]).toEqual([404, { code: 'not_found', message: 'Message Not Exists.', status: 404 }]);
  });

  it('renames a conversation, by name or generated, and deletes it', async () => {
    const { data: message } = await reply<ChatReply>(client.createChatMessage({}, 'What is Dify?', USER));
    const id = message.conversation_id;
    const renamed = await reply(client.renameConversation(id, 'About Dify', USER));
    expect(renamed.data).toMatchObject({ id, name: 'About Dify', status: 'normal', inputs: {} });
    // The SDK passes auto_generate as a fourth argument its types do not declare.
    const untyped = client as unknown as { renameConversation(...args: [string, string, string, boolean]): Promise<unknown> };
    expect((await reply(untyped.renameConversation(id, '', USER, true))).data).toMatchObject({ name: 'What is Dify?' });
    expect((await refusal(client.renameConversation(id, '', USER))).status).toBe(400);

    expect((await reply(client.deleteConversation(id, USER))).status).toBe(204);
    const gone = await refusal(client.deleteConversation(id, USER));
    expect([gone.status, gone.data]).toEqual([404, { code: 'not_found', message: 'Conversation Not Exists.', status: 404 }]);
    expect((await refusal(client.getConversationMessages(USER, id))).status).toBe(404);
  });

  it('uploads a file', async () => {
    const form = new FormData();
    form.append('file', new Blob(['# notes\n'], { type: 'text/markdown' }), 'notes.md');
    form.append('user', USER);
    const { status, data } = await reply(client.fileUpload(form));
    expect(status).toBe(201);
    expect(data).toMatchObject({ id: UUID, name: 'notes.md', size: 8, extension: 'md', mime_type: 'text/markdown', created_by: UUID });
    const empty = await refusal(client.fileUpload(new FormData()));
    expect([empty.status, empty.data]).toEqual([400, { code: 'no_file_uploaded', message: 'Please upload your file.', status: 400 }]);
  });

  it('refuses the completion and workflow methods to a chat app, as Dify does', async () => {
    const other = new CompletionClient(KEY, baseUrl);
    expect((await refusal(other.createCompletionMessage({}, USER))).data).toMatchObject({ status: 400, code: 'app_unavailable' });
    const runWorkflow = (other as unknown as { runWorkflow(inputs: object, user: string): Promise<unknown> }).runWorkflow({}, USER);
    expect((await refusal(runWorkflow)).data).toMatchObject({ status: 400, code: 'not_workflow_app' });
  });

  it('refuses a wrong key', async () => {
    const wrong = new ChatClient('app-wrong', baseUrl);
    expect((await refusal(wrong.getApplicationParameters(USER))).data).toEqual({
      code: 'unauthorized',
      message: 'Access token is invalid',
      status: 401,
    });
  });
});
