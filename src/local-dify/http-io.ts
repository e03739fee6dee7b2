import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error';

export interface RequestBody {
  raw: Buffer;
  /** The parsed JSON; undefined when the body is empty or not JSON. */
  json?: unknown;
}

const MAX_BODY_BYTES = 1024 * 1024;
/**
 * An upload's limit: Dify's for documents (15 MB) and room for the form around it. The body is held
 * in memory, so a bigger file is refused even where Dify takes audio or video up to 50 or 100 MB.
 */
const MAX_UPLOAD_BYTES = 15 * 1024 * 1024 + 64 * 1024;

/** Reads the whole body, up to 1 MB, or an upload's limit (then too much is Dify's 413 `file_too_large`). */
export async function readBody(req: IncomingMessage, upload = false): Promise<RequestBody> {
  const maxBytes = upload ? MAX_UPLOAD_BYTES : MAX_BODY_BYTES;
  const tooLarge = () =>
    upload ? new HttpError(413, 'file_too_large', '') : new HttpError(413, 'request_entity_too_large', 'Request body too large.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  try {
    return { raw, json: raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined };
  } catch {
    return { raw };
  }
}

/** The body's fields; a body that is no JSON object has none. */
export function jsonFields(body: RequestBody): Record<string, unknown> {
  const { json } = body;
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
}

/** JSON as flask-restx sends it: a trailing newline, `Content-Type: application/json`. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}
