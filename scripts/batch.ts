/**
 * Runs a batch task on the service's HTTP batch API (docs/integrating.md#the-batch-api) and writes its
 * results to a file: `npm run batch -- --file questions.txt` (options: --help). Progress on stderr.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { BatchApi, BatchApiError, NewTask, ResultsFormat, ServiceUnreachableError, isFinished } from './client/batch-api';
import { progressReport } from './client/batch-progress';
import { serviceHttpUrl } from './client/service-url';
import { failure, loadDotEnv } from './cli';

const USAGE = `usage: npm run batch -- (--file questions.txt | --transcript call.txt) [options]
  --file PATH        one question per non-empty line
  --transcript PATH  the whole file as a transcript: only its questions are answered
  --url URL          the service (default: the one PORT and HOST describe, http://localhost:8000)
  --token T          one of the service's AUTH_TOKENS (default: env WS_TOKEN)
  --name NAME        the task's name (default: the input's file name)
  --conversation     one Dify conversation for the whole task, its items asked in order
  --out PATH         where the results go (default: <input>.results.<format>)
  --format F         jsonl, csv or json (default: by the --out extension, else jsonl)
Exit 0 when the task completed, 1 when it failed or was cancelled, 2 for an error, 130 on Ctrl-C (the task is cancelled).`;
const FORMATS: ResultsFormat[] = ['jsonl', 'csv', 'json'];
const BY_EXTENSION: Record<string, ResultsFormat> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv', '.json': 'json' };
const POLL_MS = 500;

const fail: (message: string) => never = failure('batch');

// To dial where the service listens.
loadDotEnv();

function options() {
  try {
    return parseArgs({
      options: {
        file: { type: 'string', short: 'f' },
        transcript: { type: 'string', short: 't' },
        url: { type: 'string', default: serviceHttpUrl(process.env) },
        token: { type: 'string', default: process.env.WS_TOKEN },
        name: { type: 'string' },
        conversation: { type: 'boolean', default: false },
        out: { type: 'string', short: 'o' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    fail(`${(error as Error).message} (--help for usage)`);
  }
}
const values = options();

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const input = values.file ?? values.transcript;
if (!input || (values.file && values.transcript)) fail('give one of --file and --transcript (--help for usage)');
if (values.format !== undefined && !FORMATS.includes(values.format as ResultsFormat)) {
  fail(`--format must be one of ${FORMATS.join(', ')}, not ${values.format}`);
}
const format = (values.format as ResultsFormat | undefined) ?? BY_EXTENSION[extname(values.out ?? '').toLowerCase()] ?? 'jsonl';
const out = values.out ?? `${input}.results.${format}`;

function task(): NewTask {
  if (!existsSync(input!)) fail(`no such file: ${input}`);
  const text = readFileSync(input!, 'utf8');
  const name = values.name ?? basename(input!);
  const options = values.conversation ? { options: { conversation: true } } : {};
  if (values.transcript) {
    if (!text.trim()) fail(`${input} is empty: no transcript to answer`);
    return { name, transcript: text, ...options };
  }
  const texts = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  if (texts.length === 0) fail(`${input} is empty: no question to answer (one a line)`);
  return { name, texts, ...options };
}

async function run(): Promise<number> {
  const api = new BatchApi(values.url.replace(/\/+$/, ''), values.token);
  const progress = progressReport(process.stderr);
  // What the SIGINT handler reads: whether Ctrl-C came, and the task once it has an id.
  const submitted: { id?: string; interrupted: boolean } = { interrupted: false };
  const cancel = async (taskId: string): Promise<never> => {
    await api.cancel(taskId).catch(() => undefined);
    console.error(`\nbatch: cancelled task ${taskId}`);
    process.exit(130);
  };
  // A second Ctrl-C ends the process at once (Node's default), cancelled or not.
  process.once('SIGINT', () => {
    submitted.interrupted = true;
    if (submitted.id) void cancel(submitted.id);
  });

  const id = (submitted.id = (await api.submit(task())).task_id);
  // Ctrl-C while the task was being submitted: it is cancelled now that it has an id.
  if (submitted.interrupted) await cancel(id);
  console.error(`batch: task ${id} submitted to ${values.url}`);
  let view = await api.task(id);
  while (!isFinished(view)) {
    progress.update(view.progress);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    // Ctrl-C: the cancel under way ends the process (130), whatever the task does meanwhile.
    if (submitted.interrupted) await new Promise<never>(() => undefined);
    view = await api.task(id);
  }
  progress.finish(view);

  const { text, count } = await api.allResults(id, format);
  writeFileSync(out, text);
  const { completed, failed, total } = view.progress;
  console.log(`${out}: ${count} results (${format}); task ${view.status}, ${completed} completed, ${failed} failed of ${total}`);
  return view.status === 'completed' ? 0 : 1;
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof BatchApiError)
      fail(`the server answered ${error.status}: ${error.message}${error.status === 401 ? ' (pass --token)' : ''}`);
    if (error instanceof ServiceUnreachableError) fail(`${error.message}: is the service running there? (--url)`);
    fail(error instanceof Error ? error.message : String(error));
  },
);
