import { randomUUID } from 'node:crypto';
import { AppMode } from './local-dify.types';
import { RetrieverResource } from './retriever-resources';
import { endUserId, stableUuid } from './stable-id';

/** The ids one reply's events share. */
export interface ReplyIds {
  conversationId: string;
  messageId: string;
  taskId: string;
  /** Unix seconds, the same in every event of the reply. */
  createdAt: number;
}

/** What a reply is about: its question, who asked, what was retrieved, an agent's steps. */
export interface ReplyContent {
  ids: ReplyIds;
  mode: AppMode;
  query: string;
  user: string;
  sources: RetrieverResource[];
  thoughts: AgentThought[];
}

/** An agent's reasoning step: streamed as `agent_thought`, and saved with the message as Dify does. */
export interface AgentThought {
  id: string;
  position: number;
  thought: string;
  /** What the tool returned: streamed empty first (the call), then filled (its result), as Dify re-sends a thought. */
  observation: string;
  tool: string;
  toolInput: string;
}

/** The tool an agent app calls, also named in `/meta`'s tool icons. */
export const RETRIEVAL_TOOL = 'dataset_retrieval';

/** The steps an app of this type takes before answering: an agent searches the knowledge base first. */
export function agentThoughts(mode: AppMode, query: string, sources: RetrieverResource[]): AgentThought[] {
  if (mode !== 'agent-chat') return [];
  const found = sources.map((s) => `${s.document_name}: ${s.title}`).join('\n');
  return [
    {
      id: randomUUID(),
      position: 1,
      thought: 'Searching the knowledge base.',
      observation: found || 'No matching segment.',
      tool: RETRIEVAL_TOOL,
      toolInput: JSON.stringify({ [RETRIEVAL_TOOL]: { query } }),
    },
  ];
}

/** A chatflow's nodes, in order: retrieval, then the model. */
const NODES = [
  { node_id: 'knowledge_retrieval', node_type: 'knowledge-retrieval', title: 'Knowledge Retrieval', index: 1, predecessor_node_id: null },
  { node_id: 'llm', node_type: 'llm', title: 'LLM', index: 2, predecessor_node_id: 'knowledge_retrieval' },
] as const;
type ChatflowNode = (typeof NODES)[number];

const WORKFLOW_ID = stableUuid('workflow:local-chatflow');

/** Builds one reply's Dify events, fields in Dify's order (envelope first, then the event's own). */
export class ReplyEvents {
  private readonly workflowRunId = randomUUID();
  /** Each chatflow node's execution id, the same in its started and finished events. */
  private readonly nodeRunIds = NODES.map(() => randomUUID());

  constructor(private readonly reply: ReplyContent) {}

  /** Events before the first text: an agent's thoughts; a chatflow's run start, its retrieval node, its model node's start. */
  opening(): object[] {
    const { mode, query, ids, sources } = this.reply;
    if (mode === 'advanced-chat') {
      const [retrieval, llm] = NODES;
      return [
        this.workflow('workflow_started', {
          id: this.workflowRunId,
          workflow_id: WORKFLOW_ID,
          inputs: { 'sys.query': query, 'sys.user_id': this.reply.user, 'sys.conversation_id': ids.conversationId },
          created_at: ids.createdAt,
          reason: 'initial',
        }),
        this.nodeStarted(retrieval, { query }),
        this.nodeFinished(retrieval, { query }, { result: sources.map((s) => ({ content: s.content, title: s.title })) }, 0.01, null),
        this.nodeStarted(llm, {}),
      ];
    }
    return this.reply.thoughts.flatMap((t) => [this.thought(t, ''), this.thought(t, t.observation)]);
  }

  text(answer: string): object {
    const { mode, ids } = this.reply;
    if (mode === 'agent-chat') return this.event('agent_message', { id: ids.messageId, answer });
    return this.event('message', { id: ids.messageId, answer, from_variable_selector: mode === 'chat' ? null : ['llm', 'text'] });
  }

  replace(answer: string): object {
    return this.event('message_replace', { answer, reason: this.reply.mode === 'chat' ? '' : 'output_moderation' });
  }

  /** `message_end`, and for a chatflow the model node's end before it and the run's end after it. */
  closing(answer: string, latency: number): object[] {
    const cost = usage(this.reply.query, answer, latency);
    const end = this.event('message_end', {
      id: this.reply.ids.messageId,
      metadata: { annotation_reply: null, retriever_resources: this.reply.sources, usage: cost },
      files: null,
    });
    if (this.reply.mode !== 'advanced-chat') return [end];
    const { createdAt } = this.reply.ids;
    const execution = { total_tokens: cost.total_tokens, total_price: cost.total_price, currency: cost.currency };
    return [
      this.nodeFinished(NODES[1], {}, { text: answer }, latency, execution),
      end,
      this.workflow('workflow_finished', {
        id: this.workflowRunId,
        workflow_id: WORKFLOW_ID,
        status: 'succeeded',
        outputs: { answer },
        error: null,
        elapsed_time: latency,
        total_tokens: cost.total_tokens,
        total_steps: NODES.length,
        created_by: { id: endUserId(this.reply.user), user: this.reply.user },
        created_at: createdAt,
        finished_at: Math.max(createdAt, Math.floor(Date.now() / 1000)),
        exceptions_count: 0,
        files: [],
      }),
    ];
  }

  /** A piece of the answer's speech (base64), when the app reads answers aloud. */
  speech(audio: string): object {
    return this.event('tts_message', { audio });
  }

  speechEnd(): object {
    return this.event('tts_message_end', { audio: '' });
  }

  /** An in-stream failure: no task_id, then the stream ends. */
  error(status: number, code: string, message: string): object {
    const { conversationId, messageId, createdAt } = this.reply.ids;
    return { event: 'error', conversation_id: conversationId, message_id: messageId, created_at: createdAt, code, status, message };
  }

  private thought(t: AgentThought, observation: string): object {
    return this.event('agent_thought', {
      id: t.id,
      position: t.position,
      thought: t.thought,
      observation,
      tool: t.tool,
      tool_labels: { [t.tool]: { en_US: 'Knowledge retrieval', zh_Hans: '知识检索' } },
      tool_input: t.toolInput,
      message_files: [],
    });
  }

  private nodeStarted(node: ChatflowNode, inputs: object): object {
    return this.workflow('node_started', {
      id: this.nodeRunIds[node.index - 1],
      ...node,
      inputs,
      inputs_truncated: false,
      created_at: this.reply.ids.createdAt,
      extras: {},
      iteration_id: null,
      loop_id: null,
      agent_strategy: null,
    });
  }

  private nodeFinished(node: ChatflowNode, inputs: object, outputs: object, elapsed: number, execution: object | null): object {
    const { createdAt } = this.reply.ids;
    return this.workflow('node_finished', {
      id: this.nodeRunIds[node.index - 1],
      ...node,
      inputs,
      inputs_truncated: false,
      process_data: {},
      process_data_truncated: false,
      outputs,
      outputs_truncated: false,
      status: 'succeeded',
      error: null,
      elapsed_time: elapsed,
      execution_metadata: execution,
      created_at: createdAt,
      finished_at: Math.max(createdAt, Math.floor(Date.now() / 1000)),
      files: [],
      iteration_id: null,
      loop_id: null,
    });
  }

  private event(name: string, fields: object): object {
    const { conversationId, messageId, createdAt, taskId } = this.reply.ids;
    return { event: name, conversation_id: conversationId, message_id: messageId, created_at: createdAt, task_id: taskId, ...fields };
  }

  private workflow(name: string, data: object): object {
    return this.event(name, { workflow_run_id: this.workflowRunId, data });
  }
}

/** The blocking reply: one JSON object with the whole answer. */
export function blockingReply(reply: ReplyContent, answer: string, latency: number): object {
  const { ids, mode, query, sources } = reply;
  return {
    event: 'message',
    task_id: ids.taskId,
    id: ids.messageId,
    message_id: ids.messageId,
    conversation_id: ids.conversationId,
    mode: mode === 'advanced-chat' ? 'advanced-chat' : 'chat',
    answer,
    metadata: { annotation_reply: null, retriever_resources: sources, usage: usage(query, answer, latency) },
    created_at: ids.createdAt,
  };
}

/** Plausible token counts; prices are strings, as Dify sends Decimals. */
export function usage(query: string, answer: string, latency: number) {
  const prompt = 200 + query.length * 2;
  const completion = Math.ceil(answer.length / 2);
  return {
    prompt_tokens: prompt,
    prompt_unit_price: '0.001',
    prompt_price_unit: '0.001',
    prompt_price: (prompt * 1e-6).toFixed(7),
    completion_tokens: completion,
    completion_unit_price: '0.002',
    completion_price_unit: '0.001',
    completion_price: (completion * 2e-6).toFixed(7),
    total_tokens: prompt + completion,
    total_price: (prompt * 1e-6 + completion * 2e-6).toFixed(7),
    currency: 'USD',
    latency,
    time_to_first_token: null,
    time_to_generate: null,
  };
}
