import { randomUUID } from 'node:crypto';
import { Hit } from './knowledge-base';
import { AppMode } from './local-dify.types';

/** The ids one reply's events share. */
export interface ReplyIds {
  conversationId: string;
  messageId: string;
  taskId: string;
  /** Unix seconds, the same in every event of the reply. */
  createdAt: number;
}

/** An agent's reasoning step: streamed as `agent_thought`, and saved with the message as Dify does. */
export interface AgentThought {
  id: string;
  position: number;
  thought: string;
  observation: string;
  tool: string;
  toolInput: string;
}

/** The steps an app of this type takes before answering: an agent searches the knowledge base first. */
export function agentThoughts(mode: AppMode, query: string): AgentThought[] {
  if (mode !== 'agent-chat') return [];
  const toolInput = JSON.stringify({ dataset_retrieval: { query } });
  return [
    { id: randomUUID(), position: 1, thought: 'Searching the knowledge base.', observation: '', tool: 'dataset_retrieval', toolInput },
  ];
}

/** Builds one reply's Dify events, fields in Dify's order (envelope first, then the event's own). */
export class ReplyEvents {
  private readonly workflowRunId = randomUUID();

  constructor(
    private readonly ids: ReplyIds,
    private readonly mode: AppMode,
    private readonly query: string,
    private readonly thoughts: AgentThought[],
  ) {}

  /** Events before the first text: an agent's thoughts, a chatflow's run and node start. */
  opening(): object[] {
    if (this.mode === 'advanced-chat') {
      return [
        this.workflow('workflow_started', {
          id: this.workflowRunId,
          workflow_id: 'local-workflow',
          inputs: { 'sys.query': this.query },
          created_at: this.ids.createdAt,
          reason: 'initial',
        }),
        this.workflow('node_started', {
          id: randomUUID(),
          node_id: 'llm',
          node_type: 'llm',
          title: 'LLM',
          index: 1,
          predecessor_node_id: null,
          inputs: {},
          created_at: this.ids.createdAt,
        }),
      ];
    }
    return this.thoughts.map((t) =>
      this.event('agent_thought', {
        id: t.id,
        position: t.position,
        thought: t.thought,
        observation: t.observation,
        tool: t.tool,
        tool_labels: {},
        tool_input: t.toolInput,
        message_files: [],
      }),
    );
  }

  text(answer: string): object {
    if (this.mode === 'agent-chat') return this.event('agent_message', { id: this.ids.messageId, answer });
    return this.event('message', { id: this.ids.messageId, answer, from_variable_selector: this.mode === 'chat' ? null : ['llm', 'text'] });
  }

  replace(answer: string): object {
    return this.event('message_replace', { answer, reason: this.mode === 'chat' ? '' : 'output_moderation' });
  }

  /** `message_end`, and for a chatflow the node's and run's end after it. */
  closing(answer: string, hits: Hit[], latency: number): object[] {
    const end = this.event('message_end', {
      id: this.ids.messageId,
      metadata: { annotation_reply: null, retriever_resources: retrieverResources(hits), usage: usage(this.query, answer, latency) },
      files: null,
    });
    if (this.mode !== 'advanced-chat') return [end];
    const finishedAt = Math.floor(Date.now() / 1000);
    return [
      this.workflow('node_finished', {
        id: randomUUID(),
        node_id: 'llm',
        node_type: 'llm',
        title: 'LLM',
        index: 1,
        status: 'succeeded',
        outputs: { text: answer },
        error: null,
        elapsed_time: latency,
        created_at: this.ids.createdAt,
        finished_at: finishedAt,
      }),
      end,
      this.workflow('workflow_finished', {
        id: this.workflowRunId,
        workflow_id: 'local-workflow',
        status: 'succeeded',
        outputs: { answer },
        error: null,
        elapsed_time: latency,
        total_tokens: answer.length,
        total_steps: 3,
        created_at: this.ids.createdAt,
        finished_at: finishedAt,
      }),
    ];
  }

  /** An in-stream failure: no task_id, then the stream ends. */
  error(status: number, code: string, message: string): object {
    const { conversationId, messageId, createdAt } = this.ids;
    return { event: 'error', conversation_id: conversationId, message_id: messageId, created_at: createdAt, code, status, message };
  }

  private event(name: string, fields: object): object {
    const { conversationId, messageId, createdAt, taskId } = this.ids;
    return { event: name, conversation_id: conversationId, message_id: messageId, created_at: createdAt, task_id: taskId, ...fields };
  }

  private workflow(name: string, data: object): object {
    return this.event(name, { workflow_run_id: this.workflowRunId, data });
  }
}

/** The blocking reply: one JSON object with the whole answer. */
export function blockingReply(ids: ReplyIds, mode: AppMode, query: string, answer: string, hits: Hit[], latency: number): object {
  return {
    event: 'message',
    task_id: ids.taskId,
    id: ids.messageId,
    message_id: ids.messageId,
    conversation_id: ids.conversationId,
    mode: mode === 'advanced-chat' ? 'advanced-chat' : 'chat',
    answer,
    metadata: { annotation_reply: null, retriever_resources: retrieverResources(hits), usage: usage(query, answer, latency) },
    created_at: ids.createdAt,
  };
}

/** A `message_end`'s sources, as the stream gives them. */
export function retrieverResources(hits: Hit[]) {
  return hits.map((hit, i) => ({
    position: i + 1,
    dataset_id: 'local-knowledge',
    dataset_name: 'Local knowledge base',
    document_id: hit.section.document,
    document_name: hit.section.document,
    data_source_type: 'upload_file',
    segment_id: `${hit.section.document}#${hit.section.heading}`,
    retriever_from: 'api',
    score: Math.round(hit.score * 1000) / 1000,
    hit_count: null,
    word_count: hit.section.text.length,
    segment_position: null,
    index_node_hash: null,
    content: hit.section.text,
    page: null,
    doc_metadata: null,
    title: hit.section.heading,
    files: null,
    summary: null,
  }));
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
