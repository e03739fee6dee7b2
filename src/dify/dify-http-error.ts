import { AxiosError, isAxiosError } from 'axios';
import { Readable } from 'node:stream';
import { DifyError } from './dify-error';

/** Enough for any Dify error envelope; a longer body (a proxy's HTML page) is cut here. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Maps a failed HTTP call to a DifyError. Reads only the status and Dify's `{code, message}`:
 * an axios error also carries the request's headers, the API key among them, so it is never logged.
 */
export async function difyErrorFrom(error: unknown): Promise<DifyError> {
  if (error instanceof DifyError) return error;
  if (!isAxiosError(error)) return new DifyError('unavailable', `Dify call failed: ${String(error)}`);
  if (error.response) {
    const body = await responseText(error.response.data);
    const envelope = parseEnvelope(body);
    return DifyError.fromEnvelope(error.response.status, envelope.code, envelope.message);
  }
  if (error.code === AxiosError.ECONNABORTED || error.code === AxiosError.ETIMEDOUT) {
    return new DifyError('timeout', 'Dify did not answer in time');
  }
  return new DifyError('unavailable', `Cannot reach Dify (${error.code ?? 'network error'})`);
}

/** An error response's body as text, at most MAX_ERROR_BODY_BYTES of it (any provider's). */
export async function responseText(data: unknown): Promise<string> {
  if (typeof data === 'string') return data;
  if (data instanceof Readable) return readLimited(data);
  if (data && typeof data === 'object') return JSON.stringify(data);
  return '';
}

async function readLimited(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      chunks.push(bytes);
      size += bytes.length;
      if (size >= MAX_ERROR_BODY_BYTES) break;
    }
  } catch {
    // A body cut mid-way still says what it said so far.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
}

function parseEnvelope(body: string): { code?: string; message?: string } {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') {
      const { code, message } = parsed as Record<string, unknown>;
      return {
        code: typeof code === 'string' ? code : undefined,
        message: typeof message === 'string' ? message : undefined,
      };
    }
  } catch {
    // Not JSON: a proxy's HTML error page, say. The status alone classifies it.
  }
  return {};
}
