/**
 * Redis's memory per concurrent answer: `count` sockets asking at once at a model's pace, INFO
 * used_memory growth per answer halfway through and once every answer has ended (what stays for
 * the retention), and from it what one answer slot holds when it answers back to back.
 */
import WebSocket from 'ws';
import { ask, closeAll, connectMany } from './clients';
import { Measured } from './processes';
import { answerLogBytes, RedisCounters, redisCounters, redisDelta, untilExpiringStreamsGone, untilQuiet } from './redis-info';
import { round, stats } from './stats';

/** Dify's own answer at a pace: its pieces, and how long it took read directly. */
export interface DirectAnswer {
  pieces: string[];
  seconds: number;
}

/** Redis's memory growth with answers streaming at once, per answer (summed over the nodes). */
export interface ConcurrentAnswers {
  answers: number;
  chunksPerAnswer: number;
  /** An answer's duration at the model's pace, read from Dify directly (what a slot answering back to back takes per answer). */
  answerSeconds: number;
  /** From asking the service to its final chunk, median of the answers at once (longer than the pace: the service is loaded). */
  servedSeconds: number;
  streamingBytesPerAnswer: number;
  endedBytesPerAnswer: number;
  lost: number;
  disordered: number;
  keptBytesPerChunk: number;
  /**
   * One answer slot answering back to back: the answer streaming (halfway) and the ended ones still
   * kept (retention ÷ the answer's duration of them). The "about 2 MB per concurrently
   * streaming answer" is this figure (40 chunks a second, 300 s, ~170 bytes a chunk).
   */
  steadyBytesPerConcurrentAnswer: number;
  /**
   * The same of the answer logs' own keys (MEMORY USAGE), halfway and ended: what grows with the
   * answers. used_memory also holds each answer's session here (every bench answer asks in a new
   * session: its record, kept SESSION_TTL, a cost per session, not per answer) and Redis's own.
   */
  answerLogStreamingBytesPerAnswer: number;
  answerLogEndedBytesPerAnswer: number;
  answerLogBytesPerConcurrentAnswer: number;
}

export async function concurrentAnswers(
  target: Measured,
  ports: number[],
  count: number,
  model: DirectAnswer,
  retentionSeconds: number,
): Promise<ConcurrentAnswers> {
  const expected = model.pieces;
  const sockets = await connectMany(target.url, count);
  const before = await redisCounters(ports);
  const halfway = chunksDelivered(sockets, (count * expected.length) / 2);
  const asked = Promise.all(sockets.map((socket) => ask(socket)));
  const logBefore = await answerLogBytes(ports);
  await halfway;
  const [streaming, logStreaming] = await Promise.all([redisCounters(ports), answerLogBytes(ports)]);
  const answers = await asked;
  // The answer log may still be writing what the clients already have; ended answers' streams go soon after.
  await untilQuiet(ports);
  await untilExpiringStreamsGone(ports, (retentionSeconds * 1000) / 2);
  const [ended, logEnded] = await Promise.all([redisCounters(ports), answerLogBytes(ports)]);
  await closeAll(sockets);
  const perAnswer = (after: RedisCounters) => Math.round(redisDelta(before, after).usedMemoryBytes / count);
  const [streamingBytesPerAnswer, endedBytesPerAnswer] = [perAnswer(streaming), perAnswer(ended)];
  const [logStreamingPerAnswer, logEndedPerAnswer] = [logStreaming, logEnded].map((bytes) => Math.round((bytes - logBefore) / count));
  const steady = (streamingBytes: number, endedBytes: number) =>
    Math.round(streamingBytes + (endedBytes * retentionSeconds) / model.seconds);
  return {
    answers: count,
    chunksPerAnswer: expected.length,
    answerSeconds: round(model.seconds, 2),
    servedSeconds: round(stats(answers.map((a) => a.doneMs)).p50 / 1000, 2),
    streamingBytesPerAnswer,
    endedBytesPerAnswer,
    lost: answers.filter((a) => a.text !== expected.join('')).length,
    disordered: answers.filter((a) => !a.ordered).length,
    keptBytesPerChunk: Math.round(endedBytesPerAnswer / expected.length),
    steadyBytesPerConcurrentAnswer: steady(streamingBytesPerAnswer, endedBytesPerAnswer),
    answerLogStreamingBytesPerAnswer: logStreamingPerAnswer,
    answerLogEndedBytesPerAnswer: logEndedPerAnswer,
    answerLogBytesPerConcurrentAnswer: steady(logStreamingPerAnswer, logEndedPerAnswer),
  };
}

/** Resolves once the sockets together have received `chunks` answer chunks. */
function chunksDelivered(sockets: WebSocket[], chunks: number): Promise<void> {
  return new Promise((resolve) => {
    let received = 0;
    const onMessage = (data: WebSocket.RawData) => {
      if (!(data as Buffer).toString().includes('"type":"answer"') || ++received < chunks) return;
      for (const socket of sockets) socket.off('message', onMessage);
      resolve();
    };
    for (const socket of sockets) socket.on('message', onMessage);
  });
}
