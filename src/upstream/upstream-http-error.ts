import { AxiosError, isAxiosError } from 'axios';
import { responseText } from '../dify';
import type { ProviderName } from './upstream';
import { UpstreamError } from './upstream-error';

/**
 * Maps a failed HTTP call to an UpstreamError: the status and the provider's error code only (an
 * axios error carries the request's headers, the key among them, so it is never logged). Reads the
 * codes of each provider's envelope: OpenAI's `{error:{code,type}}`, RAGFlow's `{code}`, FastGPT's `{statusText}`.
 */
export async function upstreamErrorFrom(provider: ProviderName, error: unknown): Promise<UpstreamError> {
  if (error instanceof UpstreamError) return error;
  if (!isAxiosError(error)) return UpstreamError.of(provider, 'unavailable', `call failed: ${String(error)}`);
  if (error.response) return UpstreamError.fromStatus(provider, error.response.status, errorCode(await responseText(error.response.data)));
  if (error.code === AxiosError.ECONNABORTED || error.code === AxiosError.ETIMEDOUT) {
    return UpstreamError.of(provider, 'timeout', 'did not answer in time');
  }
  return UpstreamError.of(provider, 'unavailable', `cannot be reached (${error.code ?? 'network error'})`);
}

/** The machine-readable code of an error body, if it has one (never its message: it may quote keys). */
export function errorCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; statusText?: unknown; error?: { code?: unknown; type?: unknown } };
    const code = parsed.error?.code ?? parsed.error?.type ?? parsed.statusText ?? parsed.code;
    return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
  } catch {
    return undefined; // not JSON: a proxy's HTML page; the status alone classifies it
  }
}
