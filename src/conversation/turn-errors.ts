/** Every answer slot of this process, or of the share the answer counts against, is taken (AnswerSlots). */
export class AnswersAtCapacityError extends Error {
  constructor() {
    super('Every answer slot is taken');
    this.name = 'AnswersAtCapacityError';
  }
}

/** The session answers elsewhere and that answer did not end in time for this one (its lease). */
export class SessionBusyError extends Error {
  constructor() {
    super('The session is answering on another instance');
    this.name = 'SessionBusyError';
  }
}

/** Another instance took the session over (a newer question there), or this one lost its lease. */
export class AnswerTakenOverError extends Error {
  constructor() {
    super('The session was taken over');
    this.name = 'AnswerTakenOverError';
  }
}

/** A turn was asked for with nothing to ask: an empty final, or instant_query before any final. */
export class NothingToAskError extends Error {
  constructor(readonly why: 'empty-final' | 'no-final-yet') {
    super(`Nothing to ask: ${why}`);
    this.name = 'NothingToAskError';
  }
}
