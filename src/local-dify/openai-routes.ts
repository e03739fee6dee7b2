import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { composeAnswer } from './answer-composer';
import { jsonFields, RequestBody } from './http-io';
import { KnowledgeBase } from './knowledge-base';
import { LocalDifyFault } from './local-dify.types';
import { GenerationFault, MessageGeneration, Pace } from './message-generation';
import { PlatformFrames, PlatformOutcome, streamPlatformReply } from './platform-stream';
import { questionOf } from './query-faults';
import { Route } from './router';
import { SseStyle } from './sse-writer';

/** The model name the local server answers as (any name is accepted). */
export const LOCAL_MODEL = 'local-rag';

export interface OpenAiRouteDeps {
  knowledge: KnowledgeBase;
  pace: Pace;
  style: SseStyle;
  /** The fault this request plays, if any (LocalDifyServer's queue and markers). */
  fault(body: unknown): LocalDifyFault | undefined;
  /** Each streamed reply once it ended. */
  ended(record: { question: string; body: unknown; answer: string; outcome: PlatformOutcome }): void;
}

/**
 * The OpenAI-compatible routes of the local server: `POST /v1/chat/completions` answering the last
 * user message from the same knowledge base as the Dify route (streamed as `chat.completion.chunk`s
 * and `[DONE]`, `usage` last with `stream_options.include_usage`, with the same faults; or blocking),
 * and `GET /v1/models`. So a fresh clone can try an `openai` app with no account.
 */
export function openAiRoutes(deps: OpenAiRouteDeps): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/v1\/models$/,
      handle: ({ res }) => json(res, 200, { object: 'list', data: [{ id: LOCAL_MODEL, object: 'model', owned_by: 'local' }] }),
    },
    { method: 'POST', path: /^\/v1\/chat\/completions$/, handle: ({ body, res }) => complete(deps, body, res) },
  ];
}

async function complete(deps: OpenAiRouteDeps, body: RequestBody, res: ServerResponse): Promise<void> {
  const fields = jsonFields(body);
  const question = questionOf(fields);
  if (typeof fields.model !== 'string' || !question?.trim()) {
    return json(res, 400, { error: { message: 'model and messages are required', type: 'invalid_request_error', code: null } });
  }
  const fault = deps.fault(fields);
  if (fault?.kind === 'destroy') return void res.socket?.destroy();
  if (fault?.kind === 'silent') return;
  if (fault?.kind === 'http') {
    const type = fault.status === 429 ? 'rate_limit_exceeded' : fault.status === 401 ? 'invalid_api_key' : 'server_error';
    return json(res, fault.status, { error: { message: fault.message ?? 'Injected failure', type, code: fault.code ?? type } });
  }
  const { answer } = composeAnswer(deps.knowledge, question);
  const generationFault = fault?.kind === 'error-event' || fault?.kind === 'endless' ? (fault as GenerationFault) : undefined;
  const generation = new MessageGeneration(answer, deps.pace, generationFault, () => undefined);
  const id = `chatcmpl-${randomUUID()}`;
  const usage = { prompt_tokens: question.length, completion_tokens: answer.length, total_tokens: question.length + answer.length };
  if (fields.stream !== true) {
    const end = await generation.ended;
    if (end.kind === 'error') return json(res, end.status, { error: { message: end.message, type: 'server_error', code: end.code } });
    const message = { role: 'assistant', content: end.answer };
    return json(res, 200, {
      id,
      object: 'chat.completion',
      model: fields.model,
      choices: [{ index: 0, message, finish_reason: 'stop' }],
      usage,
    });
  }
  const withUsage = (fields.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const chunk = (delta: object, finish: string | null, extra: object = {}) => ({
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: fields.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  });
  const frames: PlatformFrames = {
    opening: (writer) => writer.frame(chunk({ role: 'assistant', content: '' }, null)),
    text: (writer, text) => writer.frame(chunk({ content: text }, null)),
    end: async (writer) => {
      await writer.frame(chunk({}, 'stop'));
      if (withUsage) await writer.frame({ ...chunk({}, null), choices: [], usage });
      await writer.frame('[DONE]');
    },
    error: (writer, step) => writer.frame({ error: { message: step.message, type: 'server_error', code: step.code } }),
  };
  const outcome = await streamPlatformReply(res, generation, frames, deps.style, fault);
  deps.ended({ question, body: fields, answer, outcome });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
