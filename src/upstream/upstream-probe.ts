import type { AxiosInstance } from 'axios';
import type { ProviderName } from './upstream';
import { upstreamErrorFrom } from './upstream-http-error';

const PROBE_TIMEOUT_MS = 5000;

/** Why an authenticated GET fails (readiness), or undefined when it answers 2xx. Never throws. */
export async function probeGet(
  http: AxiosInstance,
  provider: ProviderName,
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  /** RAGFlow answers 200 with its own `code`: non-zero is a failure. */
  businessCode = false,
): Promise<string | undefined> {
  try {
    const { data } = await http.get<unknown>(url, { headers, timeout: Math.min(PROBE_TIMEOUT_MS, timeoutMs) });
    const code = (data as { code?: unknown } | undefined)?.code;
    if (businessCode && typeof code === 'number' && code !== 0) return `${provider} answered code ${code}`;
    return undefined;
  } catch (error) {
    return (await upstreamErrorFrom(provider, error)).message;
  }
}
