import type { Answer, FinishReason, Resume } from './protocol.types.ts';

/** What the user is shown of an answer, each time it changes. */
export interface AnswerUpdate {
  answerId: string;
  /** The question it answers, when the client saw it asked (status{querying_rag}). */
  question?: string;
  /** The whole answer so far. */
  text: string;
  /** What this update added to the text; when `replaced`, the text that replaced the answer so far. */
  delta: string;
  /** The answer so far was replaced by `delta` (Dify's moderation). */
  replaced: boolean;
  /** The answer's last update. */
  final: boolean;
  /**
   * On the last update: why the answer ended; `lost` when, after a reconnect, the server no longer
   * had the rest of it (error RESUME_UNAVAILABLE follows): ask again.
   */
  finishReason?: FinishReason | 'lost';
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** The code points `added` brings to `before`: one fewer when it completes a surrogate pair that `before` ends with. */
function codePoints(before: string, added: string): number {
  const completesPair = isHighSurrogate(before.charCodeAt(before.length - 1)) && isLowSurrogate(added.charCodeAt(0));
  return Array.from(added).length - (completesPair ? 1 : 0);
}

interface Progress {
  answerId: string;
  question?: string;
  text: string;
  /** Code points of content received since the last replace: the resume `offset`. */
  codePoints: number;
  /** The stream_index expected next. */
  nextIndex: number;
  ended: boolean;
}

/**
 * The client's record of the answer it is receiving, to resume it after a reconnect: the code points
 * of its content received since the last `replace` (not UTF-16 units: an emoji is one code point and
 * two units; counted over the text, as the server counts, even where a pair was split between two
 * chunks), and the stream_index expected next. A chunk below that index was seen already and is
 * dropped, so the user sees each piece of the answer once even if a server sends it again.
 * A session has one answer at a time, so the record is of the latest.
 */
export class AnswerTracker {
  private current?: Progress;

  /** status{querying_rag}: answer `answerId` starts. */
  started(answerId: string, question?: string): void {
    this.current = { answerId, question, text: '', codePoints: 0, nextIndex: 0, ended: false };
  }

  /** An answer chunk, as the update the user sees; undefined when it brings nothing new. */
  chunk(chunk: Answer): AnswerUpdate | undefined {
    // A chunk of an answer whose start this connection did not see (another connection of the session asked it).
    if (this.current?.answerId !== chunk.answer_id) this.started(chunk.answer_id);
    const answer = this.current!;
    if (answer.ended || chunk.stream_index < answer.nextIndex) return undefined;
    const replaced = chunk.replace === true;
    answer.nextIndex = chunk.stream_index + 1;
    answer.codePoints = replaced ? codePoints('', chunk.content) : answer.codePoints + codePoints(answer.text, chunk.content);
    answer.text = replaced ? chunk.content : answer.text + chunk.content;
    answer.ended = chunk.final;
    return this.update(chunk.content, replaced, chunk.final ? chunk.finish_reason : undefined);
  }

  /** Where to resume the answer that had not ended, if there is one (without the session id, which the sender adds). */
  resumePoint(): Omit<Resume, 'session_id'> | undefined {
    const answer = this.current;
    if (!answer || answer.ended) return undefined;
    return { type: 'resume', answer_id: answer.answerId, offset: answer.codePoints, stream_index: answer.nextIndex };
  }

  /** The server could not resume the open answer (RESUME_UNAVAILABLE): it ends here, lost. */
  lost(): AnswerUpdate | undefined {
    if (!this.current || this.current.ended) return undefined;
    this.current.ended = true;
    return this.update('', false, 'lost');
  }

  private update(delta: string, replaced: boolean, finishReason: AnswerUpdate['finishReason']): AnswerUpdate {
    const { answerId, question, text, ended } = this.current!;
    return { answerId, question, text, delta, replaced, final: ended, finishReason };
  }
}
