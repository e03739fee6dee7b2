/**
 * The service's HTTP batch API (/api/batch, docs/integrating.md#the-batch-api) over global fetch:
 * submit, follow, cancel, and every result downloaded page by page.
 */
import type { ItemResult, TaskView } from '../../src/batch';

export type ResultsFormat = 'jsonl' | 'csv' | 'json';

export type NewTask = { name: string; options?: { conversation: boolean } } & ({ texts: string[] } | { transcript: string });

/** The server answered with an error status; `message` is the server's own (Nest's `message`). */
export class BatchApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** No answer at all: nothing listens at the URL, or the connection broke. */
export class ServiceUnreachableError extends Error {}

const FINISHED = new Set(['completed', 'failed', 'cancelled']);
export const isFinished = (task: TaskView) => FINISHED.has(task.status);

const ACCEPT: Record<ResultsFormat, string> = { jsonl: 'application/x-ndjson', csv: 'text/csv', json: 'application/json' };
const PAGE_SIZE = 1000;

export class BatchApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  async submit(task: NewTask): Promise<{ task_id: string }> {
    return JSON.parse(await this.call('POST', '/api/batch/tasks', { body: task })) as { task_id: string };
  }

  async task(id: string): Promise<TaskView> {
    return JSON.parse(await this.call('GET', `/api/batch/tasks/${encodeURIComponent(id)}`)) as TaskView;
  }

  async cancel(id: string): Promise<TaskView> {
    return JSON.parse(await this.call('DELETE', `/api/batch/tasks/${encodeURIComponent(id)}`)) as TaskView;
  }

  /**
   * Every result of the task, in the format asked for: JSON Lines and CSV as the server writes them
   * (CSV's header once), JSON as one array. Returns the text and how many results it holds.
   */
  async allResults(id: string, format: ResultsFormat): Promise<{ text: string; count: number }> {
    const first = await this.page(id, 1);
    const pages = Math.max(1, Math.ceil(first.total / PAGE_SIZE));
    if (format === 'json') {
      const results = [...first.results];
      for (let page = 2; page <= pages; page++) results.push(...(await this.page(id, page)).results);
      return { text: `${JSON.stringify(results, null, 2)}\n`, count: results.length };
    }
    let text = '';
    for (let page = 1; page <= pages; page++) {
      const body = await this.call('GET', this.resultsPath(id, page), { accept: ACCEPT[format] });
      // Each CSV page starts with the header line: the file keeps the first page's.
      text += format === 'csv' && page > 1 ? body.slice(body.indexOf('\r\n') + 2) : body;
    }
    return { text, count: first.total };
  }

  private async page(id: string, page: number): Promise<{ results: ItemResult[]; total: number }> {
    return JSON.parse(await this.call('GET', this.resultsPath(id, page))) as { results: ItemResult[]; total: number };
  }

  private resultsPath(id: string, page: number): string {
    return `/api/batch/tasks/${encodeURIComponent(id)}/results?page=${page}&size=${PAGE_SIZE}`;
  }

  /** The response body of a 2xx; a BatchApiError for any other status, ServiceUnreachableError for no answer. */
  private async call(method: string, path: string, { body, accept }: { body?: unknown; accept?: string } = {}): Promise<string> {
    const headers: Record<string, string> = { Accept: accept ?? 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      text = await response.text();
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ServiceUnreachableError(`cannot reach ${this.baseUrl} (${cause?.code ?? cause?.message ?? String(error)})`);
    }
    if (!response.ok) throw new BatchApiError(response.status, serverMessage(text) ?? `${response.status} ${response.statusText}`);
    return text;
  }
}

/** Nest's error body: {message: string | string[], error, statusCode}. */
function serverMessage(text: string): string | undefined {
  try {
    const { message } = JSON.parse(text) as { message?: unknown };
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string') return message;
  } catch {
    // Not JSON (a proxy's page, say): its text, if short.
  }
  return text && text.length <= 200 ? text.trim() : undefined;
}
