/** Every answer slot of this process, or of the share the answer counts against, is taken (AnswerSlots). */
export class AnswersAtCapacityError extends Error {
  constructor() {
    super('Every answer slot is taken');
    this.name = 'AnswersAtCapacityError';
  }
}

/** A turn was asked for with nothing to ask: an empty final, or instant_query before any final. */
export class NothingToAskError extends Error {
  constructor(readonly why: 'empty-final' | 'no-final-yet') {
    super(`Nothing to ask: ${why}`);
    this.name = 'NothingToAskError';
  }
}
