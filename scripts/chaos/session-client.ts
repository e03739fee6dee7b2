/** One chaos session: asks one question and follows its answer to the end, across drops and instances. */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export interface SessionOutcome {
  sessionId: string;
  /** The answer text the client holds at the end. */
  text: string;
  finishReason?: string;
  /** Dify's id of the message the client's answer is (from `sources`): which generation to compare with. */
  messageId?: string;
  /** Answers that failed (a retryable error) and were asked again. */
  retries: number;
  /** Resumes refused (RESUME_UNAVAILABLE: the answer was never logged, e.g. while Redis restarted): asked again. */
  resumesRefused: number;
  /** The error codes the session was sent, for the report. */
  errors: string[];
  drops: number;
  /** Milliseconds from each reconnect to the first message of the resumed answer. */
  resumeMs: number[];
}

interface Plan {
  sessionId: string;
  /** Where to connect: a random instance each time. */
  pickUrl: () => string;
  question: string;
  /** Chance of dropping the socket at each chunk. */
  dropChance: number;
  deadline: number;
}

/** How long a connection may stay silent before the client drops it and resumes elsewhere. */
const SILENCE_MS = 8000;
/** How long a client waits before it asks a failed question again. */
const RETRY_AFTER_MS = 300;

type Message = {
  type: string;
  message_id?: string;
  retryable?: boolean;
  answer_id?: string;
  content?: string;
  final?: boolean;
  replace?: boolean;
  finish_reason?: string;
  stage?: string;
  received_type?: string;
  code?: string;
};

/**
 * The rules a resuming client follows (docs/integrating.md): count code points per answer since the
 * last replace and the next stream_index; after a reconnect, send `resume` first.
 */
export async function runSession(plan: Plan): Promise<SessionOutcome> {
  const outcome: SessionOutcome = {
    sessionId: plan.sessionId,
    text: '',
    drops: 0,
    retries: 0,
    resumesRefused: 0,
    errors: [],
    resumeMs: [],
  };
  let answerId: string | undefined;
  let streamIndex = 0;
  let ended = false;
  const ask = (socket: WebSocket) =>
    socket.send(JSON.stringify({ type: 'asr_chunk', text: plan.question, is_final: true, session_id: plan.sessionId }));
  const askAgain = (socket: WebSocket) => {
    outcome.finishReason = undefined;
    outcome.text = '';
    answerId = undefined;
    streamIndex = 0;
    // Not at once: whatever failed (Redis restarting) gets a moment.
    setTimeout(() => socket.readyState === WebSocket.OPEN && ask(socket), RETRY_AFTER_MS);
  };
  while (performance.now() < plan.deadline && !ended) {
    // `sources` carries Dify's message id: which generation the answer the client holds is.
    const socket = await open(`${plan.pickUrl()}?features=sources`).catch(() => undefined);
    if (!socket) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    const reconnectedAt = performance.now();
    let awaitingResume = answerId !== undefined;
    await new Promise<void>((done) => {
      // A connection that says nothing for a while (its instance went, or Redis did) is given up and resumed elsewhere.
      const silence = setTimeout(() => socket.terminate(), SILENCE_MS);
      const finish = () => {
        ended = true;
        socket.close();
        done();
      };
      socket.on('close', () => clearTimeout(silence));
      socket.on('message', (data) => {
        silence.refresh();
        const message = JSON.parse((data as Buffer).toString()) as Message;
        if (message.type === 'status' && message.stage === 'querying_rag' && !answerId) answerId = message.answer_id;
        if (message.type === 'error') outcome.errors.push(message.code ?? '?');
        if (message.type === 'error' && message.code === 'RESUME_UNAVAILABLE') {
          // As the docs say: an answer that cannot be resumed is asked again.
          outcome.resumesRefused++;
          return askAgain(socket);
        }
        if (message.type === 'error' && message.retryable && awaitingResume) {
          // The resume could not be served now (Redis restarting): again, from another connection.
          socket.terminate();
          return done();
        }
        if (message.type === 'error' && message.retryable && outcome.finishReason === 'error') {
          // The answer failed (Redis restarting, its instance dying): asked again, as the error allows.
          outcome.retries++;
          return askAgain(socket);
        }
        if (message.type === 'sources') outcome.messageId = message.message_id;
        if (message.type === 'status' && message.stage === 'idle' && outcome.finishReason && outcome.finishReason !== 'error')
          return finish();
        if (message.type !== 'answer' || message.answer_id !== answerId) return;
        if (awaitingResume) {
          outcome.resumeMs.push(performance.now() - reconnectedAt);
          awaitingResume = false;
        }
        outcome.text = message.replace ? (message.content ?? '') : outcome.text + (message.content ?? '');
        streamIndex++;
        if (message.final) outcome.finishReason = message.finish_reason;
        else if (Math.random() < plan.dropChance) {
          outcome.drops++;
          socket.terminate();
        }
      });
      socket.on('close', () => done());
      socket.on('error', () => done());
      if (!answerId) return ask(socket);
      const resume = { type: 'resume', session_id: plan.sessionId, answer_id: answerId, offset: Array.from(outcome.text).length };
      socket.send(JSON.stringify({ ...resume, stream_index: streamIndex }));
    });
  }
  return outcome;
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}
