import { Stack, startStack } from './support/stack';

const ask = (text: string, session_id?: string) => ({ type: 'asr_chunk', text, is_final: true, session_id });
const chatRequests = (stack: Stack) =>
  stack.dify.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat-messages').map((r) => r.body as Record<string, unknown>);

describe('sessions and multi-turn conversations (e2e)', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack();
  });
  afterEach(() => stack.close());

  it('continues the Dify conversation with the follow-up question', async () => {
    const client = await stack.connect();
    client.send(ask('什么是 RAG？'));
    await client.answer();
    const from = client.received.length;
    client.send(ask('它有什么优点？'));
    await client.answer(from);
    const [first, second] = chatRequests(stack);
    expect(first.conversation_id).toBeUndefined();
    expect(second.conversation_id).toBe(stack.dify.streams[0].conversationId);
    expect(second.user).toBe(first.user);
    expect(second.query).toBe('它有什么优点？');
    client.close();
  });

  it('continues the conversation after a reconnect with the same session_id', async () => {
    const first = await stack.connect();
    first.send(ask('What is RAG?', 'session-123'));
    await first.answer();
    first.close();
    await first.waitForClose();

    const second = await stack.connect();
    second.send(ask('What are its advantages?', 'session-123'));
    await second.answer();
    const [a, b] = chatRequests(stack);
    expect(b.conversation_id).toBe(stack.dify.streams[0].conversationId);
    expect(b.user).toBe(a.user);
    expect(second.received.filter((m) => m.type === 'answer').every((m) => m.session_id === 'session-123')).toBe(true);
    second.close();
  });

  it('keeps separate sessions apart', async () => {
    const alice = await stack.connect();
    const bob = await stack.connect();
    alice.send(ask('What is RAG?', 'alice-1'));
    bob.send(ask('What is Dify?', 'bob-1'));
    await Promise.all([alice.answer(), bob.answer()]);
    const [x, y] = chatRequests(stack);
    expect(x.user).not.toBe(y.user);
    const conversations = new Set(stack.dify.streams.map((s) => s.conversationId));
    expect(conversations.size).toBe(2);
    alice.close();
    bob.close();
  });

  it('starts a new conversation and still answers when Dify no longer knows the stored one', async () => {
    const client = await stack.connect();
    client.send(ask('什么是 RAG？', 's-404'));
    await client.answer();
    stack.dify.forgetConversations();
    const from = client.received.length;
    client.send(ask('Dify 是什么？', 's-404'));
    const { text } = await client.answer(from);
    expect(text.length).toBeGreaterThan(0);
    expect(client.received.slice(from).some((m) => m.type === 'error')).toBe(false);
    const requests = chatRequests(stack);
    expect(requests).toHaveLength(3);
    expect(requests[1].conversation_id).toBe(stack.dify.streams[0].conversationId);
    expect(requests[2].conversation_id).toBeUndefined();
    // The new conversation is the one the session continues from now on.
    const next = client.received.length;
    client.send(ask('它支持哪些模型？', 's-404'));
    await client.answer(next);
    const renewed = stack.dify.streams.find((s) => s.query === 'Dify 是什么？' && s.outcome === 'completed');
    expect(chatRequests(stack)[3].conversation_id).toBe(renewed!.conversationId);
    client.close();
  });
});
