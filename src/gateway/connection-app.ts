import type { IncomingMessage } from 'node:http';
import { Principal } from '../auth';
import { AppRegistry } from '../tenancy';

/** `?app=hr` on the upgrade URL: the app the client names, if any. */
export function requestedApp(request: IncomingMessage): string | undefined {
  return new URL(request.url ?? '/', 'http://local').searchParams.get('app') ?? undefined;
}

/**
 * The app a connection of `principal` uses when it names `requested` (at the upgrade or in a hello),
 * or undefined to refuse (HTTP 403 at the upgrade, UNKNOWN_APP for a hello). The one place the
 * choosing is called from the gateway: a token's `app` claim pins it (another app named is refused).
 */
export function connectionApp(apps: AppRegistry, principal: Principal, requested: string | undefined): string | undefined {
  return apps.choose(principal.id, principal.app, requested);
}
