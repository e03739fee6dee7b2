import { CONTROL_ACTIONS, ErrorMessage, INBOUND_TYPES, MAX_JSON_DEPTH } from './messages';
import { excerpt, ProtocolError } from './protocol-error';

type UpstreamDetails = Pick<ErrorMessage, 'retryable' | 'upstream_status' | 'upstream_code'>;

const RETRYABLE = { retryable: true } as const;

/** Who failed, in an upstream error's text: Dify unless said; another provider's app names its own (its settings are its APPS entry). */
export interface UpstreamName {
  name: string;
  /** Where the operator sets the key, and the address. */
  key: string;
  url: string;
}

const DIFY: UpstreamName = { name: 'Dify', key: 'DIFY_API_KEY', url: 'DIFY_BASE_URL (it usually ends with /v1)' };

/** What a client is told about Dify's known app-level error codes. Dify's own text never reaches it. */
const REJECTIONS: Record<string, string> = {
  app_unavailable: 'The Dify app is unavailable: check that it is published and configured.',
  not_chat_app: 'The Dify API key belongs to an app that is not a chat app (Chatbot, Agent or Chatflow).',
  provider_not_initialize: 'The Dify app has no model provider credentials configured.',
  provider_quota_exceeded: "The Dify app's model quota is used up.",
  model_currently_not_support: "The Dify app's model is not available.",
  completion_request_error: "Dify's call to its language model failed; ask again.",
  invalid_param: 'Dify refused the request as invalid.',
  workflow_failed: 'The Dify workflow failed while answering.',
  workflow_paused: 'The Dify workflow paused for human input, which this service cannot give.',
};

/**
 * Every error a client can be sent, each code's text written here and nowhere else. Code that
 * meets a fault of the wire itself (a bad frame, a limit) raises one of these; every other error is
 * turned into one of them by the one mapping (`toWireError`, conversation/error-mapping.ts).
 */
export const wireErrors = {
  binaryFrame: () => new ProtocolError('INVALID_MESSAGE', 'Binary frames are not supported: send each message as a JSON text frame.'),
  nestedTooDeep: () => new ProtocolError('INVALID_MESSAGE', `The message nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels.`),
  invalidJson: () => new ProtocolError('INVALID_JSON', 'The frame is not valid JSON: send one JSON object per text frame.'),
  notAnObject: () => new ProtocolError('INVALID_MESSAGE', 'A message must be a JSON object with a "type" field.'),
  noType: () => new ProtocolError('INVALID_MESSAGE', `A message needs a string "type": one of ${INBOUND_TYPES.join(', ')}.`),
  invalidFields: (problems: string) => new ProtocolError('INVALID_MESSAGE', `Invalid message: ${problems}.`),
  /** `path` ends with the reserved key; a long one is cut at its start, client-chosen keys can be long. */
  reservedKey: (path: string) =>
    new ProtocolError(
      'INVALID_MESSAGE',
      `Invalid message: ${path.length > 80 ? `…${path.slice(-80).toWellFormed()}` : path.toWellFormed()} is a reserved name: no key may be __proto__, constructor or prototype.`,
    ),
  unsupportedType: (type: string) =>
    new ProtocolError('UNSUPPORTED_TYPE', `Unsupported message type "${excerpt(type)}": use one of ${INBOUND_TYPES.join(', ')}.`),
  unknownAction: (action: string) =>
    new ProtocolError('UNKNOWN_ACTION', `Unknown control action "${excerpt(action)}": use one of ${CONTROL_ACTIONS.join(', ')}.`),
  textTooLong: (maxChars: number) => new ProtocolError('TEXT_TOO_LONG', `text is longer than ${maxChars} characters.`),
  rateLimited: (perSecond: number, burst: number) =>
    new ProtocolError(
      'RATE_LIMITED',
      `Too many messages: at most ${perSecond} per second (bursts of ${burst}); this one was dropped.`,
      RETRYABLE,
    ),
  flooding: () =>
    new ProtocolError('RATE_LIMITED', 'Message rate limit exceeded again and again: closing the connection.', RETRYABLE, 1008),
  emptyQuestion: () => new ProtocolError('EMPTY_QUESTION', 'The final transcript is empty: there is nothing to answer.'),
  noFinalAsr: () => new ProtocolError('NO_FINAL_ASR', 'No final transcript yet: send an asr_chunk with is_final true first.'),
  serverBusy: () =>
    new ProtocolError('SERVER_BUSY', 'The service is answering as many questions as it can; ask again in a moment.', RETRYABLE),
  serverError: () => new ProtocolError('SERVER_ERROR', 'The server failed to handle this; ask again.', RETRYABLE),
  shuttingDown: () =>
    new ProtocolError('SHUTTING_DOWN', 'The service is shutting down: reconnect with the same session_id and ask again.', RETRYABLE, 1001),
  sessionNotAllowed: () =>
    new ProtocolError('SESSION_NOT_ALLOWED', "This connection's token is limited to another session_id: use that one, or no session_id."),
  unknownAnswer: () =>
    new ProtocolError('UNKNOWN_ANSWER', 'That answer_id is not an answer of this session that Dify finished saving, or no longer kept.'),
  unsupportedByApp: (app: string, feature: string) =>
    new ProtocolError('UNSUPPORTED_BY_APP', `App "${app}" cannot do ${feature}: its provider does not support it.`),
  /** One answer for an app that does not exist and one the principal may not use: names do not leak. */
  unknownApp: () => new ProtocolError('UNKNOWN_APP', 'No such app for this connection: name one this connection may use.'),
  appAlreadyChosen: (app: string) =>
    new ProtocolError(
      'INVALID_MESSAGE',
      `Invalid hello: this connection asks app ${app} since its first question; open a new connection for another app.`,
    ),
  invalidInputs: (problem: string) => new ProtocolError('INVALID_MESSAGE', `Invalid hello: ${problem}.`),
  inputsTooLarge: (bytes: number, maxBytes: number) =>
    new ProtocolError('INVALID_MESSAGE', `Invalid hello: inputs are ${bytes} bytes as JSON, more than the ${maxBytes} a session may keep.`),
  resumeUnavailable: () =>
    new ProtocolError('RESUME_UNAVAILABLE', 'That answer is unknown here or no longer kept: ask the question again.'),
  sessionStoreUnavailable: () =>
    new ProtocolError('SESSION_STORE_UNAVAILABLE', 'The session store is unavailable; ask again shortly.', RETRYABLE),
  upstreamUnauthorized: (details: UpstreamDetails, who = DIFY) =>
    new ProtocolError('UPSTREAM_UNAUTHORIZED', `${who.name} refused this service's API key: the operator must check ${who.key}.`, details),
  upstreamNotFound: (details: UpstreamDetails, who = DIFY) =>
    new ProtocolError('UPSTREAM_NOT_FOUND', `${who.name} answered 404 Not Found: the operator must check ${who.url}.`, details),
  upstreamRateLimited: (details: UpstreamDetails, who = DIFY) =>
    new ProtocolError('UPSTREAM_RATE_LIMITED', `${who.name} is at its request limit; ask again in a moment.`, details),
  upstreamTimeout: (details: UpstreamDetails, who = DIFY) =>
    new ProtocolError('UPSTREAM_TIMEOUT', `${who.name} did not answer in time; ask again.`, details),
  upstreamUnavailable: (details: UpstreamDetails, who = DIFY) =>
    new ProtocolError('UPSTREAM_UNAVAILABLE', `${who.name} cannot be reached or is failing; ask again later.`, details),
  upstreamStreamInterrupted: (details: UpstreamDetails, who = DIFY) =>
    new ProtocolError('UPSTREAM_STREAM_INTERRUPTED', `${who.name}'s answer was cut off before it ended; ask again.`, details),
  upstreamEventTooLarge: (details: UpstreamDetails, who = DIFY) =>
    new ProtocolError(
      'UPSTREAM_EVENT_TOO_LARGE',
      `${who.name} sent one piece of this answer larger than the service accepts (DIFY_MAX_EVENT_CHARS), so the answer was stopped.`,
      details,
    ),
  /** The upstream refused or failed the request; Dify's known codes explained in our words, others named. */
  ragError: (details: UpstreamDetails, who = DIFY) =>
    new ProtocolError(
      'RAG_ERROR',
      (who === DIFY ? REJECTIONS[details.upstream_code ?? ''] : undefined) ??
        `${who.name} could not answer${details.upstream_code ? ` (${details.upstream_code})` : ''}.`,
      details,
    ),
};
