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

// Keyed by the request object itself, as the principal is: chosen once, at the upgrade.
const upgradeApps = new WeakMap<IncomingMessage, string>();

/** Carries the app the upgrade check chose to the connection it opens. */
export function setUpgradeApp(request: IncomingMessage, app: string): void {
  upgradeApps.set(request, app);
}

/** The app the upgrade check chose; a connection whose upgrade skipped the check is a bug. */
export function upgradeApp(request: IncomingMessage): string {
  const app = upgradeApps.get(request);
  if (app === undefined) throw new Error('connection opened without an app chosen at its upgrade');
  return app;
}
