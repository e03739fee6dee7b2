/**
 * Mints a signed token (HS256, AUTH_JWT_SECRET from the environment or .env) for a principal:
 * `npm run token -- --sub acme --app hr --ttl 600` (options: --help). The token on stdout, its
 * expiry on stderr: `WS_TOKEN=$(npm run -s token -- --sub acme)`.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, mintToken } from '../src/auth';
import { authConfig } from '../src/config';
import { failure, loadDotEnv } from './cli';

const USAGE = `usage: npm run token -- --sub PRINCIPAL [options]
  --sub PRINCIPAL   who the token names (its sub): sessions, tasks and quotas are theirs
  --app APP         the only app the token may use
  --session ID      the only session_id its connections may use
  --ttl SECONDS     how long it is valid (default ${DEFAULT_TTL_SECONDS}, at most ${MAX_TTL_SECONDS})
Reads AUTH_JWT_SECRET, AUTH_JWT_AUDIENCE and AUTH_JWT_ISSUER from the environment or .env, as the service does.`;

const fail: (message: string) => never = failure('token');

// To sign with the service's own secret.
loadDotEnv();

function options() {
  try {
    return parseArgs({
      options: {
        sub: { type: 'string' },
        app: { type: 'string' },
        session: { type: 'string' },
        ttl: { type: 'string', default: String(DEFAULT_TTL_SECONDS) },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    fail(`${(error as Error).message} (--help for usage)`);
  }
}

async function main(): Promise<void> {
  const values = options();
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.sub) fail('give --sub PRINCIPAL (--help for usage)');
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) fail(`--ttl must be a whole number of seconds, 1–${MAX_TTL_SECONDS}`);
  let jwt;
  try {
    jwt = authConfig().jwt;
  } catch (error) {
    fail((error as Error).message);
  }
  if (!jwt.secret) fail('AUTH_JWT_SECRET is not set (in the environment or .env): there is nothing to sign with');
  const { token, expiresAt } = await mintToken(
    { secret: jwt.secret, audience: jwt.audience, issuer: jwt.issuer },
    { sub: values.sub, app: values.app, session_id: values.session },
    ttl,
  );
  console.log(token);
  console.error(`token for ${values.sub}, valid until ${expiresAt.toISOString()}`);
}

void main();
