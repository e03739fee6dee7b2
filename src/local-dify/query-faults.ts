import { LocalDifyFault } from './local-dify.types';

/**
 * Faults kept for every chat request whose query contains a marker, unlike `injectFault`'s, which
 * are played once each on whatever request comes next: so one client's questions meet a broken
 * upstream while everybody else's are answered (the attack benchmark's bystander).
 */
export class QueryFaults {
  private readonly byMarker = new Map<string, LocalDifyFault>();

  set(marker: string, fault: LocalDifyFault): void {
    this.byMarker.set(marker, fault);
  }

  /** The fault of the first marker the request body's `query` contains. */
  for(body: unknown): LocalDifyFault | undefined {
    const query = (body as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string') return undefined;
    for (const [marker, fault] of this.byMarker) if (query.includes(marker)) return fault;
    return undefined;
  }
}
