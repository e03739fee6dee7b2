import { lastValueFrom, Observable, of, Subject, throwError, toArray } from 'rxjs';
import { DifyChatRequest, DifyClient, DifyError, DifyEvent } from '../dify';
import { Metrics } from '../metrics';
import { LocalSessionLease, MemorySessionStore, sessionKey } from '../session';
import { AnswerService } from './answer.service';
import { AnswersAtCapacityError } from './turn-errors';

const LIMITS = { maxConcurrentAnswers: 10 };
const TURN = { bargeIn: 'interrupt' as const };
/** The session's save, which the answer does not wait for, has landed. */
const settled = () => new Promise((resolve) => setImmediate(resolve));
const ids = (conversationId: string) => ({ taskId: 't', messageId: 'm', conversationId });

/** A DifyClient double that records requests and replies with scripted event lists or errors. */
function fakeDify(replies: Array<DifyEvent[] | DifyError>) {
  const requests: DifyChatRequest[] = [];
  const client = {
    streamChat: (request: DifyChatRequest): Observable<DifyEvent> => {
      requests.push(request);
      const reply = replies.shift()!;
      return reply instanceof DifyError ? throwError(() => reply) : of(...reply);
    },
  } as unknown as DifyClient;
  return { client, requests };
}

describe('AnswerService', () => {
  const store = () => new MemorySessionStore(60_000, 100);

  it("streams text pieces, skips empty and non-text events, ends with Dify's report, and remembers the conversation", async () => {
    const sessions = store();
    const { client, requests } = fakeDify([
      [
        { kind: 'progress', event: 'agent_thought', ...ids('c-1') },
        { kind: 'text', text: 'RAG ', ...ids('c-1') },
        { kind: 'text', text: '', ...ids('c-1') },
        { kind: 'replace', text: 'Moderated.', ...ids('c-1') },
        { kind: 'end', retrieverResources: [{ document_name: 'rag.md', score: 0.9 }], usage: { total_tokens: 12 }, ...ids('c-1') },
      ],
    ]);
    const pieces = await lastValueFrom(
      new AnswerService(client, sessions, LIMITS, new Metrics(), new LocalSessionLease(), TURN)
        .answer('What is RAG?', 'alice', 's1')
        .pipe(toArray()),
    );
    expect(pieces).toEqual([
      // First: where Dify keeps the answer, for another instance if this one dies.
      { start: true, messageId: 'm', conversationId: 'c-1', user: 'alice:s1' },
      { text: 'RAG ', replace: false },
      { text: 'Moderated.', replace: true },
      { end: true, messageId: 'm', conversationId: 'c-1', sources: [{ document_name: 'rag.md', score: 0.9 }], usage: { total_tokens: 12 } },
    ]);
    expect(requests).toEqual([{ query: 'What is RAG?', user: 'alice:s1', conversationId: undefined, speech: false }]);
    await settled();
    expect(await sessions.get(sessionKey('alice', 's1'))).toEqual({ conversationId: 'c-1' });
  });

  it('continues the stored conversation with the same Dify user', async () => {
    const sessions = store();
    await sessions.save(sessionKey('alice', 's1'), { conversationId: 'c-1' });
    const { client, requests } = fakeDify([[{ kind: 'end', retrieverResources: [], ...ids('c-1') }]]);
    await lastValueFrom(
      new AnswerService(client, sessions, LIMITS, new Metrics(), new LocalSessionLease(), TURN)
        .answer('And then?', 'alice', 's1')
        .pipe(toArray()),
    );
    expect(requests[0]).toEqual({ query: 'And then?', user: 'alice:s1', conversationId: 'c-1', speech: false });
  });

  it('starts a new conversation when Dify lost the stored one, and stores the new id', async () => {
    const sessions = store();
    await sessions.save(sessionKey('alice', 's1'), { conversationId: 'gone' });
    const { client, requests } = fakeDify([
      DifyError.fromEnvelope(404, 'not_found', 'Conversation Not Exists.'),
      [
        { kind: 'text', text: 'fresh', ...ids('c-2') },
        { kind: 'end', retrieverResources: [], ...ids('c-2') },
      ],
    ]);
    const pieces = await lastValueFrom(
      new AnswerService(client, sessions, LIMITS, new Metrics(), new LocalSessionLease(), TURN)
        .answer('Hi?', 'alice', 's1')
        .pipe(toArray()),
    );
    expect(pieces).toEqual([
      { start: true, messageId: 'm', conversationId: 'c-2', user: 'alice:s1' },
      { text: 'fresh', replace: false },
      { end: true, messageId: 'm', conversationId: 'c-2', sources: [], usage: undefined },
    ]);
    expect(requests.map((r) => r.conversationId)).toEqual(['gone', undefined]);
    await settled();
    expect(await sessions.get(sessionKey('alice', 's1'))).toEqual({ conversationId: 'c-2' });
  });

  it('passes other errors through untouched, and does not retry a new conversation', async () => {
    const { client, requests } = fakeDify([DifyError.fromEnvelope(404, 'not_found', 'Conversation Not Exists.')]);
    await expect(
      lastValueFrom(new AnswerService(client, store(), LIMITS, new Metrics(), new LocalSessionLease(), TURN).answer('Hi?', 'bob', 's2')),
    ).rejects.toMatchObject({
      kind: 'conversation_not_found',
    });
    expect(requests).toHaveLength(1);
    const unauthorized = fakeDify([DifyError.fromEnvelope(401, 'unauthorized', 'Access token is invalid')]);
    await expect(
      lastValueFrom(
        new AnswerService(unauthorized.client, store(), LIMITS, new Metrics(), new LocalSessionLease(), TURN).answer('Hi?', 'bob', 's2'),
      ),
    ).rejects.toMatchObject({
      kind: 'unauthorized',
    });
  });

  it('refuses a turn beyond MAX_CONCURRENT_ANSWERS (AnswersAtCapacityError, told as SERVER_BUSY), and frees its place when a turn ends', async () => {
    const streams: Array<Subject<DifyEvent>> = [];
    const client = {
      streamChat: () => {
        const s = new Subject<DifyEvent>();
        streams.push(s);
        return s;
      },
    } as unknown as DifyClient;
    const service = new AnswerService(
      client,
      store(),
      { ...LIMITS, maxConcurrentAnswers: 1 },
      new Metrics(),
      new LocalSessionLease(),
      TURN,
    );
    const first = service.answer('a?', 'p', 's1').subscribe();
    await new Promise((r) => setImmediate(r));
    await expect(lastValueFrom(service.answer('b?', 'p', 's2'))).rejects.toBeInstanceOf(AnswersAtCapacityError);
    first.unsubscribe();
    const second = service.answer('c?', 'p', 's3').subscribe();
    await new Promise((r) => setImmediate(r));
    expect(streams).toHaveLength(2);
    second.unsubscribe();
  });
});
