import { isTokenParameter } from '../auth';

/** Fields that may carry credentials besides the client token, as log-object keys and as query parameters. */
const CREDENTIAL_FIELDS = ['apiKey', 'api_key', 'password'];

const CENSOR = '[redacted]';

/** What pino censors wherever it appears in a log object. */
export const REDACTION = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'req.headers["x-api-key"]',
    'res.headers["set-cookie"]',
    '*.token',
    ...CREDENTIAL_FIELDS.map((field) => `*.${field}`),
  ],
  censor: CENSOR,
};

const OTHER_CREDENTIAL_PARAMETERS = new Set(CREDENTIAL_FIELDS.map((field) => field.toLowerCase()));

function isCredentialParameter(decodedName: string): boolean {
  return isTokenParameter(decodedName) || OTHER_CREDENTIAL_PARAMETERS.has(decodedName.toLowerCase());
}

/**
 * A URL fit for the logs. Each query parameter is judged by its decoded name, as authentication reads
 * it (URLSearchParams), so `?to%6Ben=`, `?TOKEN=` and a repeated `?token=` are all censored; the rest of
 * the URL stays as sent. A fragment is censored whole: browsers never send one, and OAuth-style
 * clients put tokens there.
 */
export function redactedUrl(url: string): string {
  const hash = url.indexOf('#');
  const beforeHash = hash === -1 ? url : url.slice(0, hash);
  const fragment = hash === -1 ? '' : `#${CENSOR}`;
  const question = beforeHash.indexOf('?');
  if (question === -1) return beforeHash + fragment;
  return `${beforeHash.slice(0, question)}?${redactedQuery(beforeHash.slice(question + 1))}${fragment}`;
}

/** Pair by pair, so what is not censored keeps its exact spelling. */
function redactedQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const [name] = new URLSearchParams(pair).keys();
      return name !== undefined && isCredentialParameter(name) ? `${pair.split('=', 1)[0]}=${CENSOR}` : pair;
    })
    .join('&');
}
