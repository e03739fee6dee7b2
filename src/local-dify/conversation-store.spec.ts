import { ConversationStore, StoredConversation } from './conversation-store';

describe('ConversationStore', () => {
  const store = () => new ConversationStore({ conversations: 2, messagesPerConversation: 2 });
  const say = (s: ConversationStore, conversation: StoredConversation, query: string) =>
    s.addMessage(conversation, { id: query, conversationId: conversation.id, query, createdAt: 0, sources: [], thoughts: [] });

  it('drops the least recently active conversation past its cap', () => {
    const s = store();
    const [a, b] = [s.create('u'), s.create('u')];
    say(s, a, 'still here?');
    const c = s.create('u');
    expect([a, b, c].map((x) => s.owned(x.id, 'u'))).toEqual([a, undefined, c]);
    expect(s.listFor('u')).toEqual([c, a]);
  });

  it('keeps the newest messages of a conversation past its cap', () => {
    const s = store();
    const a = s.create('u');
    for (const query of ['one', 'two', 'three']) say(s, a, query);
    expect(a.messages.map((m) => m.query)).toEqual(['two', 'three']);
  });

  it('gives a conversation to its own user only', () => {
    const s = store();
    const a = s.create('u');
    expect([s.owned(a.id, 'other'), s.owned(a.id, ''), s.listFor('other')]).toEqual([undefined, undefined, []]);
  });
});
