import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import { AppsConfig, appsConfig, DifyConfig, difyConfig } from '../config';
import { ShutdownSequence, ShutdownState } from '../lifecycle';
import { DifyAppApi } from './dify-app-api';
import { DifyClient } from './dify-client';
import { DifyEndpoints } from './dify-endpoint';
import { DifySettings } from './dify-settings';

/** One app's own Dify connection: its endpoint and key, inputs, retries, open calls, /parameters cache. */
export interface DifyApp {
  readonly name: string;
  readonly client: DifyClient;
  readonly api: DifyAppApi;
  readonly settings: DifySettings;
}

/** Every Dify app's connection (APPS, or the one `default` app), made once at start-up, on one HTTP client. Other providers' apps have none. */
@Injectable()
export class DifyApps {
  private readonly apps = new Map<string, DifyApp>();

  constructor(
    http: HttpService,
    @Inject(difyConfig.KEY) limits: DifyConfig,
    @Inject(appsConfig.KEY) { apps }: Pick<AppsConfig, 'apps'>,
    endpoints: DifyEndpoints,
    shutdown: ShutdownState,
    sequence: ShutdownSequence,
  ) {
    for (const [name, entry] of apps) {
      if (entry.provider !== 'dify') continue;
      const endpoint = endpoints.byApp.get(name);
      if (!endpoint) throw new Error(`No Dify endpoint for app ${name}`);
      const settings = new DifySettings(limits, endpoint, entry.inputs);
      this.apps.set(name, {
        name,
        settings,
        client: new DifyClient(http, settings, shutdown, sequence),
        api: new DifyAppApi(http, settings),
      });
    }
  }

  /** The app's connection; the name comes from AppRegistry, which knows only these apps. */
  get(name: string): DifyApp {
    const app = this.apps.get(name);
    if (!app) throw new Error(`No Dify app ${name}`);
    return app;
  }

  /** The app's connection, or undefined for an app of another provider. */
  find(name: string): DifyApp | undefined {
    return this.apps.get(name);
  }

  all(): DifyApp[] {
    return [...this.apps.values()];
  }
}
