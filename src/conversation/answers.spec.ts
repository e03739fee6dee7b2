import { lastValueFrom, Observable, of, Subject, throwError, toArray } from 'rxjs';
import { DifyApps, DifyChatRequest, DifyClient, DifyError, DifyEvent } from '../dify';
import { Metrics } from '../metrics';
import { InMemorySessionStore, SessionRecords, sessionKey } from '../session';
import { InMemorySessionLease } from '../session-hub';
import { DifyUpstream, Upstreams } from '../upstream';
import { Answers } from './answers';
import { AnswersAtCapacityError } from './turn-errors';

const LIMITS = { maxConcurrentAnswers: 10, maxConcurrentAnswersPerPrincipal: 10, batchMaxShare: 0.5, maxAnswerChars: 100_000 };
const TURN = { bargeIn: 'interrupt' as const };
/** The session's save, which the answer does not wait for, has landed. */
const settled = () => new Promise((resolve) => setImmediate(resolve));
const ids = (conversationId: string) => ({ taskId: 't', messageId: 'm', conversationId });

/** Every app is a Dify app whose connection is `client`: the Upstreams and DifyApps that Answers takes. */
const oneApp = (client: DifyClient) =>
  [
    { get: () => new DifyUpstream(client) } as unknown as Upstreams,
    { find: () => ({ client }), get: () => ({ client }) } as unknown as DifyApps,
  ] as const;

/** A DifyClient double that records requests and replies with scripted event lists or errors. */
function fakeDify(replies: Array<DifyEvent[] | DifyError>) {
  const requests: DifyChatRequest[] = [];
  const client = {
    streamChat: (request: DifyChatRequest): Observable<DifyEvent> => {
      requests.push(request);
      const reply = replies.shift()!;
      return reply instanceof DifyError ? throwError(() => reply) : of(...reply);
    },
    closed: () => Promise.resolve(),
  } as unknown as DifyClient;
  return { client, requests };
}

describe('Answers', () => {
  const store = () => new SessionRecords(new InMemorySessionStore(60_000, 100));

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
      new Answers(...oneApp(client), sessions, LIMITS, new Metrics(), new InMemorySessionLease(), TURN)
        .answer('What is RAG?', 'alice', 'hr', 's1')
        .pipe(toArray()),
    );
    expect(pieces).toEqual([
      // First: where Dify keeps the answer, for another instance if this one dies.
      { start: true, messageId: 'm', conversationId: 'c-1', user: 'alice:s1' },
      { text: 'RAG ', replace: false },
      { text: 'Moderated.', replace: true },
      { end: true, messageId: 'm', conversationId: 'c-1', sources: [{ document_name: 'rag.md', score: 0.9 }], usage: { total_tokens: 12 } },
    ]);
    expect(requests).toEqual([
      { query: 'What is RAG?', user: 'alice:s1', conversationId: undefined, speech: false, session: sessionKey('alice', 'hr', 's1') },
    ]);
    await settled();
    expect(await sessions.get(sessionKey('alice', 'hr', 's1'))).toEqual({ conversationId: 'c-1' });
  });

  it('continues the stored conversation with the same Dify user', async () => {
    const sessions = store();
    await sessions.keepConversation(sessionKey('alice', 'hr', 's1'), 'c-1');
    const { client, requests } = fakeDify([[{ kind: 'end', retrieverResources: [], ...ids('c-1') }]]);
    await lastValueFrom(
      new Answers(...oneApp(client), sessions, LIMITS, new Metrics(), new InMemorySessionLease(), TURN)
        .answer('And then?', 'alice', 'hr', 's1')
        .pipe(toArray()),
    );
    expect(requests[0]).toEqual({
      query: 'And then?',
      user: 'alice:s1',
      conversationId: 'c-1',
      speech: false,
      session: sessionKey('alice', 'hr', 's1'),
    });
  });

  it('starts a new conversation when Dify lost the stored one, and stores the new id', async () => {
    const sessions = store();
    await sessions.keepConversation(sessionKey('alice', 'hr', 's1'), 'gone');
    const { client, requests } = fakeDify([
      DifyError.fromEnvelope(404, 'not_found', 'Conversation Not Exists.'),
      [
        { kind: 'text', text: 'fresh', ...ids('c-2') },
        { kind: 'end', retrieverResources: [], ...ids('c-2') },
      ],
    ]);
    const pieces = await lastValueFrom(
      new Answers(...oneApp(client), sessions, LIMITS, new Metrics(), new InMemorySessionLease(), TURN)
        .answer('Hi?', 'alice', 'hr', 's1')
        .pipe(toArray()),
    );
    expect(pieces).toEqual([
      { start: true, messageId: 'm', conversationId: 'c-2', user: 'alice:s1' },
      { text: 'fresh', replace: false },
      { end: true, messageId: 'm', conversationId: 'c-2', sources: [], usage: undefined },
    ]);
    expect(requests.map((r) => r.conversationId)).toEqual(['gone', undefined]);
    await settled();
    expect(await sessions.get(sessionKey('alice', 'hr', 's1'))).toEqual({ conversationId: 'c-2' });
  });

  it('passes other errors through untouched, and does not retry a new conversation', async () => {
    const { client, requests } = fakeDify([DifyError.fromEnvelope(404, 'not_found', 'Conversation Not Exists.')]);
    await expect(
      lastValueFrom(
        new Answers(...oneApp(client), store(), LIMITS, new Metrics(), new InMemorySessionLease(), TURN).answer('Hi?', 'bob', 'hr', 's2'),
      ),
    ).rejects.toMatchObject({
      kind: 'conversation_not_found',
    });
    expect(requests).toHaveLength(1);
    const unauthorized = fakeDify([DifyError.fromEnvelope(401, 'unauthorized', 'Access token is invalid')]);
    await expect(
      lastValueFrom(
        new Answers(...oneApp(unauthorized.client), store(), LIMITS, new Metrics(), new InMemorySessionLease(), TURN).answer(
          'Hi?',
          'bob',
          'hr',
          's2',
        ),
      ),
    ).rejects.toMatchObject({
      kind: 'unauthorized',
    });
  });

  /** A DifyClient double whose streams the test drives, and whose calls close upstream when the test says. */
  function drivenDify() {
    const streams: Array<{ user: string; events: Subject<DifyEvent>; subscribed: boolean }> = [];
    const closing = new Map<string, () => void>();
    const client = {
      streamChat: ({ user }: DifyChatRequest) =>
        new Observable<DifyEvent>((subscriber) => {
          const stream = { user, events: new Subject<DifyEvent>(), subscribed: true };
          streams.push(stream);
          const inner = stream.events.subscribe(subscriber);
          return () => {
            inner.unsubscribe();
            stream.subscribed = false;
          };
        }),
      closed: (user: string) => new Promise<void>((resolve) => closing.set(user, resolve)),
    } as unknown as DifyClient;
    /** The user's calls have closed upstream (requests closed, stop calls answered). */
    const close = async (user: string) => {
      await waitFor(() => closing.has(user));
      closing.get(user)!();
      closing.delete(user);
    };
    return { client, streams, close };
  }
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const waitFor = async (condition: () => boolean) => {
    for (let i = 0; i < 100 && !condition(); i++) await tick();
    expect(condition()).toBe(true);
  };

  it('refuses a turn beyond MAX_CONCURRENT_ANSWERS (SERVER_BUSY), and frees its place only once its call closed upstream', async () => {
    const { client, streams, close } = drivenDify();
    const service = new Answers(
      ...oneApp(client),
      store(),
      { ...LIMITS, maxConcurrentAnswers: 1 },
      new Metrics(),
      new InMemorySessionLease(),
      TURN,
    );
    const first = service.answer('a?', 'p', 'hr', 's1').subscribe();
    await waitFor(() => streams.length === 1);
    await expect(lastValueFrom(service.answer('b?', 'p', 'hr', 's2'))).rejects.toBeInstanceOf(AnswersAtCapacityError);
    first.unsubscribe();
    // Cancelled, but its request may still be open (waiting for Dify to name the task, say): it keeps its place.
    await expect(lastValueFrom(service.answer('b?', 'p', 'hr', 's2'))).rejects.toBeInstanceOf(AnswersAtCapacityError);
    expect(service.inFlight).toBe(1);
    await close('p:s1');
    await waitFor(() => service.inFlight === 0);
    const second = service.answer('c?', 'p', 'hr', 's3').subscribe();
    await waitFor(() => streams.length === 2);
    second.unsubscribe();
  });

  it('settles once no answer is in flight, its upstream call closed too (what the shutdown waits for)', async () => {
    const { client, streams, close } = drivenDify();
    const service = new Answers(...oneApp(client), store(), LIMITS, new Metrics(), new InMemorySessionLease(), TURN);
    await service.settled();
    const answer = service.answer('a?', 'p', 'hr', 's1').subscribe();
    await waitFor(() => streams.length === 1);
    let settled = false;
    const settling = service.settled().then(() => (settled = true));
    answer.unsubscribe();
    await tick();
    expect(settled).toBe(false);
    await close('p:s1');
    await settling;
    expect(service.inFlight).toBe(0);
  });

  it("starts a session's next call only once its previous one closed upstream, even when both are asked at once", async () => {
    const { client, streams, close } = drivenDify();
    const service = new Answers(...oneApp(client), store(), LIMITS, new Metrics(), new InMemorySessionLease(), TURN);
    const first = service.answer('a?', 'p', 'hr', 's1').subscribe();
    const second = service.answer('b?', 'p', 'hr', 's1').subscribe();
    const other = service.answer('c?', 'p', 'hr', 's2').subscribe();
    await waitFor(() => streams.length === 2);
    expect(streams.map((s) => s.user)).toEqual(['p:s1', 'p:s2']);
    first.unsubscribe();
    expect(streams[0].subscribed).toBe(false);
    await tick();
    expect(streams).toHaveLength(2);
    await close('p:s1');
    await waitFor(() => streams.length === 3);
    expect(streams[2].user).toBe('p:s1');
    // A call cancelled while it waits never reaches Dify, and does not hold the next one up.
    const third = service.answer('d?', 'p', 'hr', 's1').subscribe();
    const fourth = service.answer('e?', 'p', 'hr', 's1').subscribe();
    third.unsubscribe();
    second.unsubscribe();
    await close('p:s1');
    await close('p:s1');
    await waitFor(() => streams.length === 4);
    expect(streams.filter((s) => s.subscribed).map((s) => s.user)).toEqual(['p:s2', 'p:s1']);
    fourth.unsubscribe();
    other.unsubscribe();
  });

  it('cuts an answer at MAX_ANSWER_CHARS: its end says so, and the upstream call is cancelled', async () => {
    const { client, streams } = drivenDify();
    const service = new Answers(
      ...oneApp(client),
      store(),
      { ...LIMITS, maxAnswerChars: 100 },
      new Metrics(),
      new InMemorySessionLease(),
      TURN,
    );
    const events: unknown[] = [];
    const done = lastValueFrom(service.answer('a?', 'p', 'hr', 's1').pipe(toArray()));
    await waitFor(() => streams.length === 1);
    streams[0].events.next({ kind: 'text', text: 'x'.repeat(60), ...ids('c-1') });
    streams[0].events.next({ kind: 'text', text: 'y'.repeat(60), ...ids('c-1') });
    events.push(...(await done));
    expect(events.slice(1)).toEqual([
      { text: 'x'.repeat(60), replace: false },
      { text: 'y'.repeat(40), replace: false },
      { end: true, cut: true, sources: [] },
    ]);
    expect(streams[0].subscribed).toBe(false);
  });
});
