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
