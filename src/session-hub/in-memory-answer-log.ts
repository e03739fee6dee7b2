import { EMPTY, Observable } from 'rxjs';
import { AnswerLog, AnswerLogReplay, LogEntry } from './answer-log';

/** Without Redis: only the instance that streams an answer knows it (its session room keeps it). */
export class InMemoryAnswerLog extends AnswerLog {
  readonly shared = false;
  append(): void {}
  describe(): void {}
  end(): void {}
  handOver(): void {}
  read(): Promise<AnswerLogReplay | undefined> {
    return Promise.resolve(undefined);
  }
  follow(): Observable<LogEntry> {
    return EMPTY;
  }
  watch(): void {}
  watched(): Promise<boolean> {
    return Promise.resolve(false);
  }
  announce(): void {}
  announcements(): Observable<string> {
    return EMPTY;
  }
}
