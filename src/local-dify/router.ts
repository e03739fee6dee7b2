import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error';
import { RequestBody } from './http-io';

/** What a route's handler gets: the path's captured parts (decoded), the query, the body read under the route's limit. */
export interface RouteRequest {
  params: string[];
  url: URL;
  body: RequestBody;
  req: IncomingMessage;
  res: ServerResponse;
  /** Aborted when the client goes. */
  gone: AbortSignal;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Matched against the whole path, `/v1` included; groups are the handler's `params`. */
  path: RegExp;
  /** Takes a file: the body's limit is an upload's (`readBody`). */
  upload?: boolean;
  handle(request: RouteRequest): void | Promise<void>;
}

/** A path segment Dify declares `<uuid:…>`: anything else is no route at all (404), as werkzeug's converter does. */
export const UUID_SEGMENT = '([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})';

/**
 * The route for a request, as Flask finds it before any handler runs (so before the key check), or
 * the refusal: werkzeug's 404 for an unknown path, its 405 for a known path asked with another method.
 */
export function findRoute(routes: readonly Route[], method: string, path: string): { route: Route; params: string[] } | HttpError {
  let pathKnown = false;
  for (const route of routes) {
    const match = route.path.exec(path);
    if (!match) continue;
    pathKnown = true;
    if (route.method === method) return { route, params: match.slice(1).map((part) => decodeURIComponent(part)) };
  }
  if (pathKnown) return new HttpError(405, 'method_not_allowed', 'The method is not allowed for the requested URL.');
  return new HttpError(
    404,
    'not_found',
    'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
  );
}
