import { Feature, StatusMessage } from '../protocol';
import { AnswerRecord } from './answer-record';
import { RoomMember } from './room-ports';
import { SessionMessage } from './session-message';

/** Answers a room keeps for resuming: the one streaming and the one before it. */
const KEPT_ANSWERS = 2;

/**
 * A room's latest answers as its connections were sent them (each bounded by ANSWER_LOG_MAX_CHARS),
 * replayed to a connection that resumes one or joins the session mid-answer.
 */
export class KeptAnswers {
  private readonly answers: AnswerRecord[] = [];
  /** The status that started the latest answer, for a connection that joins mid-answer. */
  private started?: StatusMessage;

  constructor(
    private readonly sessionId: string,
    private readonly maxChars: number,
  ) {}

  find(answerId: string): AnswerRecord | undefined {
    return this.answers.find((a) => a.id === answerId);
  }

  begin(answerId: string): void {
    this.answers.push(new AnswerRecord(answerId, this.maxChars));
    if (this.answers.length > KEPT_ANSWERS) this.answers.shift();
  }

  /** An answer taken back before any of it was sent: nothing to resume. */
  withdraw(answerId: string): void {
    if (this.answers.at(-1)?.id === answerId) this.answers.pop();
  }

  /** Keeps a message of the latest answer; the id of that answer, if any. */
  record(message: SessionMessage, feature?: Feature): string | undefined {
    const record = this.answers.at(-1);
    record?.record(message, feature);
    return record?.id;
  }

  starting(status: StatusMessage): void {
    this.started = status;
  }

  /** Sends `member` the rest of the answer after the `offset` code points it has, and how it ended if it did. */
  replay(member: RoomMember, record: AnswerRecord, offset: number): void {
    const { chunk, closing } = record.rest(offset, member.features());
    if (chunk) member.receive({ type: 'answer', ...chunk, final: false, answer_id: record.id, session_id: this.sessionId });
    for (const message of closing) member.receive(message);
  }

  /** Shows `member` the answer streaming now from its start: its querying_rag status, then the text so far. */
  catchUp(member: RoomMember): void {
    const record = this.answers.at(-1);
    const started = this.started;
    if (!record || record.ended || !record.resumable || started?.answer_id !== record.id) return;
    member.receive(started);
    this.replay(member, record, 0);
  }
}
