import { ConversationStore, StoredConversation, titleFor } from './conversation-store';
import { conversationNotExists, HttpError } from './http-error';
import { jsonFields, sendJson } from './http-io';
import { endUser, intParam, invalidField, uuidParam } from './request-params';
import { Route, RouteRequest, UUID_SEGMENT } from './router';

const SORTS = ['created_at', '-created_at', 'updated_at', '-updated_at'] as const;
type Sort = (typeof SORTS)[number];

/**
 * `/conversations`: the list (`user`, `last_id`, `limit`, `sort_by`), rename (a name, or one generated
 * from the first question), delete, and the conversation variables (a chat app declares none).
 * `user` is optional throughout, as in Dify: without it the request is its default end user's.
 */
export function conversationRoutes(conversations: ConversationStore, introduction: string): Route[] {
  const item = (c: StoredConversation) => ({
    id: c.id,
    name: c.name,
    inputs: {},
    status: 'normal',
    introduction,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  });
  /** The user's conversation named by the path, else 404 as for an unknown one. */
  const target = ({ params }: RouteRequest, user: unknown) => {
    const conversation = conversations.owned(params[0], endUser(user));
    if (!conversation) throw conversationNotExists();
    return conversation;
  };
  const conversationPath = (rest = '') => new RegExp(`^/v1/conversations/${UUID_SEGMENT}${rest}$`);

  return [
    {
      method: 'GET',
      path: /^\/v1\/conversations$/,
      handle: ({ url, res }) => {
        const { searchParams } = url;
        const model = 'ConversationListQuery';
        const lastId = uuidParam(searchParams, model, 'last_id');
        const limit = intParam(searchParams, model, 'limit', { min: 1, max: 100, fallback: 20 });
        const sorted = sortedConversations(conversations.listFor(endUser(searchParams.get('user'))), sortParam(searchParams));
        const start = lastId === undefined ? 0 : sorted.findIndex((c) => c.id === lastId) + 1;
        if (start === 0 && lastId !== undefined) throw new HttpError(404, 'not_found', 'Last Conversation Not Exists.');
        const page = sorted.slice(start, start + limit);
        sendJson(res, 200, { limit, has_more: start + limit < sorted.length, data: page.map(item) });
      },
    },
    {
      method: 'POST',
      path: conversationPath('/name'),
      handle: (request) => {
        const { name, auto_generate: autoGenerate, user } = jsonFields(request.body);
        if (autoGenerate !== true && (typeof name !== 'string' || name.trim() === '')) {
          throw new HttpError(
            400,
            'invalid_param',
            '1 validation error for ConversationRenamePayload\n  Value error, name is required when auto_generate is false [type=value_error]',
          );
        }
        const conversation = target(request, user);
        const first = conversation.messages[0];
        // Dify has nothing to name a conversation after before its first message, and says so with an empty message.
        if (autoGenerate === true && !first) throw new HttpError(400, 'invalid_param', '');
        conversations.rename(conversation, autoGenerate === true ? titleFor(first.query) : String(name));
        sendJson(request.res, 200, item(conversation));
      },
    },
    {
      method: 'DELETE',
      path: conversationPath(),
      handle: (request) => {
        conversations.delete(target(request, jsonFields(request.body).user).id);
        request.res.writeHead(204).end();
      },
    },
    {
      method: 'GET',
      path: conversationPath('/variables'),
      handle: (request) => {
        const { searchParams } = request.url;
        const model = 'ConversationVariablesQuery';
        const lastId = uuidParam(searchParams, model, 'last_id');
        const limit = intParam(searchParams, model, 'limit', { min: 1, max: 100, fallback: 20 });
        target(request, searchParams.get('user'));
        // No variable exists, so no `last_id` names one: Dify's 400 with an empty message.
        if (lastId !== undefined) throw new HttpError(400, 'invalid_param', '');
        sendJson(request.res, 200, { limit, has_more: false, data: [] });
      },
    },
    {
      method: 'PUT',
      path: conversationPath(`/variables/${UUID_SEGMENT}`),
      handle: (request) => {
        const body = jsonFields(request.body);
        if (!('value' in body)) throw invalidField('ConversationVariableUpdatePayload', 'value', 'Field required [type=missing]');
        target(request, body.user);
        throw new HttpError(404, 'not_found', 'Conversation Variable Not Exists.');
      },
    },
  ];
}

function sortParam(params: URLSearchParams): Sort {
  const value = params.get('sort_by') ?? '-updated_at';
  if (!(SORTS as readonly string[]).includes(value)) {
    throw invalidField(
      'ConversationListQuery',
      'sort_by',
      "Input should be 'created_at', '-created_at', 'updated_at' or '-updated_at' [type=literal_error]",
    );
  }
  return value as Sort;
}

/**
 * In the order asked for. Paging goes by position after `last_id`, not by comparing timestamps as
 * Dify's query does: conversations created in the same second are neither skipped nor repeated.
 */
function sortedConversations(byUpdate: StoredConversation[], sort: Sort): StoredConversation[] {
  const ascending = sort === 'created_at' || sort === 'updated_at';
  const newestFirst = sort.endsWith('updated_at') ? byUpdate : [...byUpdate].sort((a, b) => b.sequence - a.sequence);
  return ascending ? [...newestFirst].reverse() : newestFirst;
}
