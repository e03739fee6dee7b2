import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import { unixSeconds } from './conversation-store';
import { HttpError } from './http-error';
import { sendJson } from './http-io';
import { endUserId, TENANT_ID } from './stable-id';
import { formParts } from './multipart';
import { endUser } from './request-params';
import { Route } from './router';

const MB = 1024 * 1024;
/** Dify's default size limit per kind of file (`/parameters`' system_parameters). */
const LIMITS = { image: 10 * MB, video: 100 * MB, audio: 50 * MB, other: 15 * MB };

/**
 * `POST /files/upload`: one `file` part (and an optional `user`), checked as Dify checks it; the
 * answer describes the file. Its bytes are not kept: nothing here reads an uploaded file back.
 */
export function fileRoutes(): Route[] {
  return [
    {
      method: 'POST',
      path: /^\/v1\/files\/upload$/,
      upload: true,
      handle: async ({ req, body, res }) => {
        const form = await formParts(req, body);
        const file = form.get('file');
        if (!file || typeof file === 'string') throw new HttpError(400, 'no_file_uploaded', 'Please upload your file.');
        if ([...form.values()].filter((part) => typeof part !== 'string').length > 1)
          throw new HttpError(400, 'too_many_files', 'Only one file is allowed.');
        if (!file.type) throw new HttpError(415, 'unsupported_file_type', 'File type not allowed.');
        if (!file.name) throw new HttpError(400, 'filename_not_exists_error', 'The specified filename does not exist.');
        if (/[/\\]/.test(file.name)) throw new HttpError(400, 'invalid_param', 'Filename contains invalid characters.');
        const kind = file.type.split('/')[0];
        if (file.size > (kind in LIMITS ? LIMITS[kind as keyof typeof LIMITS] : LIMITS.other))
          throw new HttpError(413, 'file_too_large', '');
        const id = randomUUID();
        const createdAt = unixSeconds();
        const user = form.get('user');
        sendJson(res, 201, {
          id,
          reference: null,
          name: file.name,
          size: file.size,
          extension: extname(file.name).slice(1) || null,
          mime_type: file.type,
          created_by: endUserId(endUser(typeof user === 'string' ? user : undefined)),
          created_at: createdAt,
          preview_url: null,
          source_url: `http://${req.headers.host ?? 'localhost'}/files/${id}/file-preview?timestamp=${createdAt}`,
          original_url: null,
          user_id: null,
          tenant_id: TENANT_ID,
          conversation_id: null,
          file_key: null,
        });
      },
    },
  ];
}
