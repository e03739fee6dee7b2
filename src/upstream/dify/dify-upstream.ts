import { firstValueFrom, Observable } from 'rxjs';
import { DifyClient } from '../../dify';
import { Upstream, UpstreamEvent, UpstreamRequest } from '../upstream';

/** A Dify app: DifyClient (the one class that talks to Dify) behind the port, unchanged. */
export class DifyUpstream extends Upstream {
  readonly provider = 'dify';

  constructor(private readonly dify: DifyClient) {
    super();
  }

  ask(request: UpstreamRequest): Observable<UpstreamEvent> {
    return this.dify.streamChat(request);
  }

  closed(user: string): Promise<void> {
    return this.dify.closed(user);
  }

  whyUnready(): Promise<string | undefined> {
    return firstValueFrom(this.dify.probe()).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : 'unreachable'),
    );
  }
}
