import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The generator runs in child processes: it formats with prettier 3, which loads itself with a
// dynamic import that jest cannot run.
const ROOT = join(__dirname, '..');
const node = (...args: string[]) => promisify(execFile)(process.execPath, ['-r', 'ts-node/register', ...args], { cwd: ROOT });

/** A contract in miniature: a channel's messages referring to components, conditionals, a shared schema. */
const TINY = `
asyncapi: 3.0.0
channels:
  c:
    messages:
      ping: { $ref: '#/components/messages/ping' }
      pong: { $ref: '#/components/messages/pong' }
operations:
  in: { action: receive, messages: [{ $ref: '#/channels/c/messages/ping' }] }
  out: { action: send, messages: [{ $ref: '#/channels/c/messages/pong' }] }
components:
  messages:
    ping: { payload: { $ref: '#/components/schemas/Ping' } }
    pong: { payload: { $ref: '#/components/schemas/Pong' } }
  schemas:
    Id: { type: string, description: An id. }
    Ping: { type: object, required: [type], properties: { type: { type: string, enum: [ping] }, id: { $ref: '#/components/schemas/Id' } } }
    Pong:
      type: object
      additionalProperties: false
      required: [type, final]
      properties: { type: { type: string, enum: [pong] }, final: { type: boolean } }
      if: { properties: { final: { enum: [true] } } }
      then: { required: [why] }
      allOf: [{ description: only a conditional, if: { required: [final] }, then: { required: [type] } }]
`;

describe('the protocol types of the client library', () => {
  it('client/src/protocol.types.ts is what docs/asyncapi.yaml generates (after changing the contract: npm run generate:protocol-types)', async () => {
    await expect(node('scripts/generate-protocol-types.ts', '--check')).resolves.toMatchObject({ stderr: '' });
  }, 30_000);

  it('types each schema (references by name, conditionals dropped) and the messages each way', async () => {
    const print = "require('./scripts/protocol-types').protocolTypes(process.argv[1]).then((text) => process.stdout.write(text))";
    const { stdout } = await node('-e', print, TINY);
    expect(stdout.replace(/^\/\/.*\n/gm, '')).toBe(
      [
        '/**',
        ' * An id.',
        ' */',
        'export type Id = string;',
        '',
        'export interface Ping {',
        "  type: 'ping';",
        '  id?: Id;',
        '}',
        '',
        'export interface Pong {',
        "  type: 'pong';",
        '  final: boolean;',
        '}',
        '',
        '/** A message a client sends. */',
        'export type ClientMessage = Ping;',
        '',
        '/** A message the server sends. */',
        'export type ServerMessage = Pong;',
        '',
      ].join('\n'),
    );
  }, 30_000);
});
