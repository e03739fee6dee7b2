import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { resumeConfig, turnConfig } from '../config';
import { Metrics } from '../metrics';
import { DifyAppApi } from '../dify';
import { Observable } from 'rxjs';
import { difyUser, FairLru, principalOf, sessionKey } from '../session';
import { AnswerLog, AnswerUpstream } from '../session-hub';
import { AnswerFeedback } from './answer-feedback';
import { Answers, SavedAnswer } from './answers';
import { AnsweringDeps } from './answering';
import { SessionRoom } from './session-room';

/**
 * This instance's session rooms, by principal and session id. A room nobody is attached to and
 * that streams nothing is kept ANSWER_RETENTION_SECONDS (for a client that resumes its last answer),
 * at most ANSWER_LOG_MAX_SESSIONS of them (the longest vacant of the principal with the most go
 * first: one principal's many sessions never push out another's), then forgotten.
 */
@Injectable()
export class SessionRooms {
  private readonly rooms = new Map<string, SessionRoom>();
  /** Vacant rooms in the order they became vacant, with their expiry timers. */
  private readonly vacant = new FairLru<NodeJS.Timeout>();

  /** Shared by every room (built once: an idle session should cost little memory). */
  private readonly deps: AnsweringDeps;
  private readonly savedAnswer: (upstream: AnswerUpstream) => Observable<SavedAnswer>;
  private readonly onVacant = (room: SessionRoom) => this.vacate(sessionKey(room.principal, room.sessionId));

  constructor(
    private readonly answers: Answers,
    @Inject(turnConfig.KEY) turn: ConfigType<typeof turnConfig>,
    @Inject(resumeConfig.KEY) private readonly config: ConfigType<typeof resumeConfig>,
    metrics: Metrics,
    private readonly log: AnswerLog,
    feedback: AnswerFeedback,
    app: DifyAppApi,
  ) {
    this.savedAnswer = (upstream) => answers.savedAnswer(upstream);
    this.deps = {
      answer: (question, principal, sessionId, speech) => answers.answer(question, principal, sessionId, speech),
      turn,
      now: Date.now,
      observe: {
        asked: (mode) => metrics.questionAsked(mode),
        interrupted: () => metrics.answerInterrupted(),
        retracted: () => metrics.questionRetracted(),
      },
      started: (answerId, { messageId }, principal, sessionId) => feedback.remember(principal, sessionId, answerId, messageId),
      suggest: (messageId, principal, sessionId) => app.suggested(messageId, difyUser(principal, sessionId)),
    };
  }

  /** The room of this session, made on first use. */
  room(principal: string, sessionId: string): SessionRoom {
    const key = sessionKey(principal, sessionId);
    clearTimeout(this.vacant.get(key));
    this.vacant.delete(key);
    let room = this.rooms.get(key);
    if (!room) {
      room = new SessionRoom(principal, sessionId, this.deps, this.log, this.savedAnswer, this.config, this.onVacant);
      this.rooms.set(key, room);
    }
    return room;
  }

  /**
   * At shutdown with a shared answer log (Redis): every answer streaming here is cut without being
   * stopped upstream, and marked handed over in the log, so its client resumes it on another
   * instance from Dify's history. False without a shared log (nobody else could resume it: closeAll
   * stops it).
   */
  handOver(): boolean {
    if (!this.log.shared) return false;
    this.answers.leaveRunning();
    for (const room of this.rooms.values()) room.handOver();
    return true;
  }

  /** At shutdown: every answer still streaming for nobody is stopped upstream. */
  closeAll(): void {
    for (const room of this.rooms.values()) room.close();
    for (const [, timer] of this.vacant) clearTimeout(timer);
    this.vacant.clear();
    this.rooms.clear();
  }

  private vacate(key: string): void {
    clearTimeout(this.vacant.get(key));
    this.vacant.delete(key);
    this.vacant.set(key, principalOf(key), setTimeout(() => this.forget(key), this.config.retentionMs).unref());
    for (const [oldest, timer] of this.vacant.evictBeyond(this.config.maxIdleSessions)) {
      clearTimeout(timer);
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    this.vacant.delete(key);
    if (this.rooms.get(key)?.vacant) this.rooms.delete(key);
  }
}
