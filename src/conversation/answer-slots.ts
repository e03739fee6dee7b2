/** Who an answer is for: a live client, or an item of a batch task (BATCH_MAX_SHARE). */
export type AnswerSource = 'live' | 'batch';

export interface AnswerSlotLimits {
  /** Answers at once on this instance (MAX_CONCURRENT_ANSWERS). */
  total: number;
  /** Of them, one principal's at most (MAX_CONCURRENT_ANSWERS_PER_PRINCIPAL). */
  perPrincipal: number;
  /** Of them, batch items' at most (BATCH_MAX_SHARE of `total`): live callers always find room. */
  batch: number;
}

/**
 * This instance's answer slots: a busy principal, or batch work, fills its own share and no more,
 * so everyone else still finds room. Counts only (no queue): past a share the answer is refused.
 */
export class AnswerSlots {
  private active = 0;
  private batchActive = 0;
  private readonly byPrincipal = new Map<string, number>();

  constructor(private readonly limits: AnswerSlotLimits) {}

  /** Answers holding a slot now. */
  get size(): number {
    return this.active;
  }

  /** Takes a slot; returns what frees it (once), or undefined when a share it counts against is full. */
  take(principal: string, source: AnswerSource): (() => void) | undefined {
    const held = this.byPrincipal.get(principal) ?? 0;
    if (this.active >= this.limits.total || held >= this.limits.perPrincipal) return undefined;
    if (source === 'batch' && this.batchActive >= this.limits.batch) return undefined;
    this.active++;
    this.byPrincipal.set(principal, held + 1);
    if (source === 'batch') this.batchActive++;
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.active--;
      if (source === 'batch') this.batchActive--;
      const left = (this.byPrincipal.get(principal) ?? 1) - 1;
      if (left > 0) this.byPrincipal.set(principal, left);
      else this.byPrincipal.delete(principal);
    };
  }
}
