import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ItemResult, TaskView } from '../src/batch';
import { freePort } from './support/net';
import { Stack, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';

const root = join(__dirname, '..');
const TOKEN = 'acme-secret-token-1';

/** `npm run batch` as a child process: the process, what it printed so far, and its exit. */
function startCli(args: string[]) {
  // WS_TOKEN set (empty) wins over a developer's .env: the test says which token the CLI presents.
  const child = spawn(process.execPath, ['-r', 'ts-node/register', join(root, 'scripts', 'batch.ts'), ...args], {
    cwd: root,
    env: { ...process.env, WS_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, ...output })),
  );
  return { child, output, exit };
}

const runCli = (args: string[]) => startCli(args).exit;

describe('npm run batch (e2e: the CLI against the app and a Dify-compatible server)', () => {
  let stack: Stack;
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const cli = (...args: string[]) => runCli(['--url', stack.httpUrl, '--token', TOKEN, ...args]);

  beforeAll(async () => {
    stack = await startStack({ env: { AUTH_TOKENS: `acme:${TOKEN}`, BATCH_CONCURRENCY: '16', BATCH_RATE_PER_SECOND: '1000' } });
    dir = mkdtempSync(join(tmpdir(), 'batch-cli-'));
  });
  afterAll(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers one question a line and writes them as JSON Lines, in index order', async () => {
    const questions = ['什么是 RAG？', 'How do I reset my password?', '年假有几天？', 'What is Dify?', '报销流程是什么？'];
    const input = file('questions.txt', `${questions[0]}\n\n${questions.slice(1).join('\r\n')}\n   \n`);
    const out = join(dir, 'answers.jsonl');
    const { code, stdout, stderr } = await cli('--file', input, '--out', out, '--name', 'faq');
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stdout).toContain(`${out}: 5 results (jsonl); task completed, 5 completed, 0 failed of 5`);
    // Not a terminal: plain lines, the last the outcome.
    expect(stderr.trimEnd().split('\n').at(-1)).toBe('completed: 5 completed, 0 failed of 5');

    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    const results = lines.map((line) => JSON.parse(line) as ItemResult);
    expect(results.map((r) => [r.index, r.text])).toEqual(questions.map((q, index) => [index, q]));
    for (const result of results) expect(result.content).not.toBe('');
    const asked = stack.dify.requests.filter((r) => r.path === '/v1/chat-messages').map((r) => (r.body as { query: string }).query);
    expect(asked.filter((query) => questions.includes(query))).toHaveLength(5);
  }, 30_000);

  it('writes CSV when --out ends in .csv, and JSON as one array with --format json (default path beside the input)', async () => {
    const input = file('export.txt', '什么是 RAG？\nWhat is Dify, "really"?\n');
    const out = join(dir, 'export.csv');
    const csvRun = await cli('--file', input, '--out', out);
    expect(csvRun.code).toBe(0);
    const [header, first, second] = readFileSync(out, 'utf8').split('\r\n');
    expect(header).toBe('index,text,content,error_code,sources');
    expect(first).toMatch(/^0,什么是 RAG？,.+/);
    expect(second).toMatch(/^1,"What is Dify, ""really""\?",.+/);

    const jsonRun = await cli('--file', input, '--format', 'json');
    expect(jsonRun.code).toBe(0);
    const all = JSON.parse(readFileSync(`${input}.results.json`, 'utf8')) as ItemResult[];
    expect(all.map((r) => r.text)).toEqual(['什么是 RAG？', 'What is Dify, "really"?']);
  }, 30_000);

  it('downloads every page of a task of more than 1000 results, the CSV header once', async () => {
    const questions = Array.from({ length: 1005 }, (_, i) => `What is Dify, "really", number ${i}?`);
    const input = file('many.txt', questions.join('\n'));
    const out = join(dir, 'many.csv');
    const { code, stdout } = await cli('--file', input, '--out', out);
    expect(code).toBe(0);
    expect(stdout).toContain('1005 results (csv)');
    const text = readFileSync(out, 'utf8');
    expect(text.match(/^index,text,content,error_code,sources\r$/gm)).toHaveLength(1);
    const indexes = [...text.matchAll(/^(\d+),"What is Dify, ""really"", number (\d+)\?",/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(indexes).toEqual(questions.map((_, i) => [i, i]));
  }, 90_000);

  it('asks one Dify conversation with --conversation', async () => {
    const questions = ['什么是 RAG？', '它有什么优点？'];
    const { code } = await cli('--file', file('talk.txt', questions.join('\n')), '--conversation');
    expect(code).toBe(0);
    const [first, second] = stack.dify.requests
      .filter((r) => r.path === '/v1/chat-messages' && questions.includes((r.body as { query: string }).query))
      .slice(-2)
      .map((r) => r.body as { user: string; conversation_id?: string });
    expect(second.user).toBe(first.user);
    expect(second.conversation_id).toBeDefined();
  }, 30_000);

  it('answers only the questions of a transcript', async () => {
    const input = file(
      'call.txt',
      'Good morning everyone.\n关于年假\n有几天？\nI see, thanks.\nHow do I reset my password?\n我们下周再开会。\n',
    );
    const { code } = await cli('--transcript', input);
    expect(code).toBe(0);
    const results = readFileSync(`${input}.results.jsonl`, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ItemResult);
    expect(results.map((r) => r.text)).toEqual(['关于年假有几天？', 'How do I reset my password?']);
    for (const result of results) expect(result.content).not.toBe('');
  }, 30_000);

  it('says in one line, with exit 2, what is wrong: an empty or missing file, a 4xx, no service', async () => {
    const empty = await cli('--file', file('empty.txt', '\n  \n'));
    expect(empty).toMatchObject({ code: 2, stderr: expect.stringMatching(/^batch: .*empty\.txt is empty: no question to answer.*\n$/) });

    const missing = await cli('--file', join(dir, 'nope.txt'));
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/^batch: no such file: .*nope\.txt\n$/) });

    const noQuestion = await cli('--transcript', file('chat.txt', 'Thanks. See you tomorrow.\n'));
    expect(noQuestion).toMatchObject({ code: 2, stderr: 'batch: the server answered 400: the transcript has no question to answer\n' });

    const noToken = await runCli(['--url', stack.httpUrl, '--file', file('one.txt', '什么是 RAG？\n')]);
    expect(noToken).toMatchObject({ code: 2, stderr: expect.stringMatching(/^batch: the server answered 401: .*\(pass --token\)\n$/) });

    const port = await freePort();
    const down = await runCli(['--url', `http://127.0.0.1:${port}`, '--file', join(dir, 'one.txt')]);
    expect(down).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^batch: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/),
    });
  }, 60_000);
});

describe('npm run batch, interrupted (e2e)', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Slow answers: the task is still running when Ctrl-C comes.
    stack = await startStack({ env: { BATCH_CONCURRENCY: '1' }, dify: { chunkDelayMs: 50, chunkChars: 2 } });
  });
  afterAll(() => stack.close());

  it('cancels the task on SIGINT and exits 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'batch-cli-'));
    try {
      const input = join(dir, 'long.txt');
      writeFileSync(input, '什么是 RAG？\n年假有几天？\n报销流程是什么？\n');
      const cli = startCli(['--url', stack.httpUrl, '--file', input]);
      await waitUntil(() => /submitted/.test(cli.output.stderr) && stack.dify.streams.length > 0, 15_000);
      cli.child.kill('SIGINT');
      const { code, stderr } = await cli.exit;
      expect(code).toBe(130);
      const id = /task (\S+) submitted/.exec(stderr)![1];
      expect(stderr).toContain(`batch: cancelled task ${id}`);
      const task = (await (await fetch(`${stack.httpUrl}/api/batch/tasks/${id}`)).json()) as TaskView;
      expect(task).toMatchObject({ status: 'cancelled', progress: { total: 3 } });
      expect(task.progress.completed).toBeLessThan(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
