import { Logger } from '@nestjs/common';
import { RememberedTurn, SessionRecords } from '../../session';

/**
 * The conversation an `openai` app's server does not keep: a session's last question/answer pairs in
 * its session record (memory or Redis, so two instances sharing Redis continue one conversation),
 * at most `turns` of them and `chars` characters in all (the oldest go first).
 */
export class TurnMemory {
  private readonly logger = new Logger(TurnMemory.name);

  constructor(
    private readonly sessions: SessionRecords,
    private readonly turns: number,
    private readonly chars: number,
  ) {}

  async recall(session: string | undefined): Promise<RememberedTurn[]> {
    if (!session || this.turns === 0) return [];
    return bounded((await this.sessions.get(session))?.history ?? [], this.turns, this.chars);
  }

  /** Called for a complete answer only. A failed save is logged: the answer itself was given. */
  remember(session: string | undefined, turn: RememberedTurn): void {
    if (!session || this.turns === 0) return;
    this.sessions
      .keepHistory(session, (history) => bounded([...history, turn], this.turns, this.chars))
      .catch((error: unknown) =>
        this.logger.error(`Saving the conversation failed: ${error instanceof Error ? error.message : String(error)}`),
      );
  }
}

/** The newest `turns` pairs within `chars` characters. */
export function bounded(history: RememberedTurn[], turns: number, chars: number): RememberedTurn[] {
  const kept: RememberedTurn[] = [];
  let size = 0;
  for (let i = history.length - 1; i >= 0 && kept.length < turns; i--) {
    size += history[i].question.length + history[i].answer.length;
    if (size > chars) break;
    kept.unshift(history[i]);
  }
  return kept;
}
