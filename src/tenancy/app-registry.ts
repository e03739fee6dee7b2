import { Inject, Injectable } from '@nestjs/common';
import { AppsConfig, appsConfig } from '../config';

/**
 * The deployment's apps (APPS, or the one `default` app) and who may use which. Knows names and
 * allow-lists only: each app's upstream connection is DifyApps'.
 */
@Injectable()
export class AppRegistry {
  constructor(@Inject(appsConfig.KEY) private readonly config: Pick<AppsConfig, 'apps' | 'defaultApp'>) {}

  get names(): string[] {
    return [...this.config.apps.keys()];
  }

  get defaultApp(): string {
    return this.config.defaultApp;
  }

  /** Whether `principal` may use `app` (an app without `principals` is everyone's). False for an unknown app. */
  allows(principal: string, app: string): boolean {
    const entry = this.config.apps.get(app);
    return entry !== undefined && (entry.principals === undefined || entry.principals.includes(principal));
  }

  /** The apps `principal` may use, in configuration order. */
  usableBy(principal: string): string[] {
    return this.names.filter((app) => this.allows(principal, app));
  }

  /**
   * The app a connection or batch task of `principal` uses, or undefined to refuse it (UNKNOWN_APP,
   * HTTP 403: one answer for an app that does not exist and one the principal may not use, so names do
   * not leak). `pinned` is the app of the principal's token, which no request can change; `requested`
   * what the client named (`?app=`, `hello.app`, a batch body's `app`). Naming none gets DEFAULT_APP,
   * or, when the principal may not use it, the one app it may use if there is exactly one.
   */
  choose(principal: string, pinned: string | undefined, requested: string | undefined): string | undefined {
    if (pinned !== undefined && requested !== undefined && requested !== pinned) return undefined;
    const named = pinned ?? requested;
    if (named !== undefined) return this.allows(principal, named) ? named : undefined;
    if (this.allows(principal, this.defaultApp)) return this.defaultApp;
    const usable = this.usableBy(principal);
    return usable.length === 1 ? usable[0] : undefined;
  }
}
