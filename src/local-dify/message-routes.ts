import { randomUUID } from 'node:crypto';
import { ConversationStore, StoredMessage, unixSeconds } from './conversation-store';
import { HttpError } from './http-error';
import { jsonFields, sendJson } from './http-io';
import { Section } from './knowledge-base';
import { messageHistory } from './message-history';
import { intParam, invalidField, requiredUser } from './request-params';
import { Route, RouteRequest, UUID_SEGMENT } from './router';
import { APP_ID, endUserId } from './stable-id';
import { suggestFollowUps } from './suggested-questions';

const messageNotExists = () => new HttpError(404, 'not_found', 'Message Not Exists.');

/**
 * A conversation's messages (`GET /messages`), feedback on them (given by their user, listed for the
 * app at `/app/feedbacks`), and the follow-up questions suggested after one.
 */
export function messageRoutes(
  conversations: ConversationStore,
  sections: readonly Section[],
  fallbackQuestions: readonly string[],
): Route[] {
  /** The path's message, if it is this user's. */
  const target = ({ params }: RouteRequest, user: string): StoredMessage => {
    const message = conversations.message(params[0], user);
    if (!message) throw messageNotExists();
    return message;
  };

  return [
    {
      method: 'GET',
      path: /^\/v1\/messages$/,
      handle: ({ url, res }) => sendJson(res, 200, messageHistory(url.searchParams, conversations)),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/messages/${UUID_SEGMENT}/feedbacks$`),
      handle: (request) => {
        const body = jsonFields(request.body);
        const user = requiredUser(body.user);
        const { rating = null, content = null } = body;
        if (rating !== null && rating !== 'like' && rating !== 'dislike') {
          throw invalidField('MessageFeedbackPayload', 'rating', "Input should be 'like' or 'dislike' [type=literal_error]");
        }
        const message = target(request, user);
        if (rating === null && !message.feedback)
          throw new HttpError(400, 'invalid_param', 'rating cannot be None when feedback not exists');
        const now = unixSeconds();
        const text = typeof content === 'string' ? content : null;
        message.feedback =
          rating === null
            ? undefined
            : {
                id: message.feedback?.id ?? randomUUID(),
                rating,
                content: text,
                createdAt: message.feedback?.createdAt ?? now,
                updatedAt: now,
              };
        sendJson(request.res, 200, { result: 'success' });
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/app\/feedbacks$/,
      handle: ({ url, res }) => {
        const page = intParam(url.searchParams, 'FeedbackListQuery', 'page', { min: 1, max: Number.MAX_SAFE_INTEGER, fallback: 1 });
        const limit = intParam(url.searchParams, 'FeedbackListQuery', 'limit', { min: 1, max: 101, fallback: 20 });
        const all = conversations
          .all()
          .flatMap((c) => c.messages.filter((m) => m.feedback).map((m) => feedbackItem(m, c.user)))
          .sort((a, b) => b.created_at.localeCompare(a.created_at));
        sendJson(res, 200, { data: all.slice((page - 1) * limit, page * limit) });
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/v1/messages/${UUID_SEGMENT}/suggested$`),
      handle: (request) => {
        const message = target(request, requiredUser(request.url.searchParams.get('user')));
        const data = suggestFollowUps(sections, message.query, message.sources, fallbackQuestions);
        sendJson(request.res, 200, { result: 'success', data });
      },
    },
  ];
}

/** Dify's `FeedbackItem`: times as ISO 8601, an end user's rating (never an account's). */
function feedbackItem(message: StoredMessage, user: string) {
  const feedback = message.feedback!;
  const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    id: feedback.id,
    app_id: APP_ID,
    conversation_id: message.conversationId,
    message_id: message.id,
    rating: feedback.rating,
    content: feedback.content,
    from_source: 'user',
    from_end_user_id: endUserId(user),
    from_account_id: null,
    created_at: iso(feedback.createdAt),
    updated_at: iso(feedback.updatedAt),
  };
}
