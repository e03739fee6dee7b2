import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import { AppsConfig, appsConfig, DifyConfig, difyConfig } from '../config';
import { DifyApps } from '../dify';
import { SessionRecords } from '../session';
import { createUpstream, parseProviderSettings } from './providers';
import { Upstream } from './upstream';

/**
 * Every app's Upstream, made once at start-up: a `dify` app's wraps that app's own DifyClient (DifyApps),
 * another provider's is built from the entry's fields, checked here (parseProviderSettings: a bad field
 * stops start-up naming app and field, never a value).
 */
@Injectable()
export class Upstreams {
  private readonly upstreams = new Map<string, Upstream>();

  constructor(
    http: HttpService,
    @Inject(difyConfig.KEY) limits: DifyConfig,
    @Inject(appsConfig.KEY) { apps }: Pick<AppsConfig, 'apps'>,
    difyApps: DifyApps,
    sessions: SessionRecords,
  ) {
    for (const [name, entry] of apps) {
      const dify = entry.provider === 'dify' ? difyApps.get(name).client : undefined;
      const settings = parseProviderSettings(name, { ...entry.providerFields, provider: entry.provider });
      this.upstreams.set(name, createUpstream(settings, { http: http.axiosRef, limits, sessions, dify }));
    }
  }

  /** The app's Upstream; the name comes from AppRegistry, which knows only these apps. */
  get(app: string): Upstream {
    const upstream = this.upstreams.get(app);
    if (!upstream) throw new Error(`Unknown app ${app}`);
    return upstream;
  }

  /** Every app's Upstream, by name. */
  all(): Array<[string, Upstream]> {
    return [...this.upstreams];
  }
}
