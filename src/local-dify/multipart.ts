import type { IncomingMessage } from 'node:http';
import { RequestBody } from './http-io';

/**
 * A `multipart/form-data` body's parts, parsed by Node's own fetch implementation (`Response.formData()`,
 * undici): no parser to add, and the body is read whole under the route's size limit anyway. A body
 * that is not multipart, or does not parse, has no parts, as Flask then sees no files.
 */
export async function formParts(req: IncomingMessage, body: RequestBody): Promise<FormData> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) return new FormData();
  try {
    return await new Response(body.raw, { headers: { 'Content-Type': type } }).formData();
  } catch {
    return new FormData();
  }
}
