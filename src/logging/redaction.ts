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
 * A URL fit for the logs. Credentials before the host (`redis://user:password@host`,
 * `https://token@host`) are censored: the password, or the whole userinfo when it has no password
 * (then it is a token). Each query parameter is judged by its decoded name, as authentication reads
 * it (URLSearchParams), so `?to%6Ben=`, `?TOKEN=` and a repeated `?token=` are all censored; the rest of
 * the URL stays as sent. A fragment is censored whole: browsers never send one, and OAuth-style
 * clients put tokens there.
 */
export function redactedUrl(url: string): string {
  const hash = url.indexOf('#');
  const beforeHash = withoutUserinfoSecret(hash === -1 ? url : url.slice(0, hash));
  const fragment = hash === -1 ? '' : `#${CENSOR}`;
  const question = beforeHash.indexOf('?');
  if (question === -1) return beforeHash + fragment;
  return `${beforeHash.slice(0, question)}?${redactedQuery(beforeHash.slice(question + 1))}${fragment}`;
}

/** `scheme://user:[redacted]@host…` or `scheme://[redacted]@host…`; a path (a request's URL) has no userinfo. */
function withoutUserinfoSecret(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!scheme) return url;
  const rest = url.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  // The host follows the last @: a password may contain an unencoded one.
  const at = authority.lastIndexOf('@');
  if (at === -1) return url;
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(':');
  const censored = colon === -1 ? CENSOR : `${userinfo.slice(0, colon)}:${CENSOR}`;
  return `${scheme[0]}${censored}${rest.slice(at)}`;
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
