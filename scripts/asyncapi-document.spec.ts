import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { ASYNCAPI_FILE } from '../test/support/protocol-contract';

// The protocol contract (docs/asyncapi.yaml) must be a valid AsyncAPI document: the official parser
// (schema, references, and its built-in rules) reports no errors on it.
describe('docs/asyncapi.yaml', () => {
  it('parses as AsyncAPI 3 without errors', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(ASYNCAPI_FILE, 'utf8'));
    const errors = diagnostics
      .filter((diagnostic) => (diagnostic.severity as number) === (DiagnosticSeverity.Error as number))
      .map((diagnostic) => `${diagnostic.code} at /${diagnostic.path.join('/')}: ${diagnostic.message}`);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('describes one WebSocket channel with the messages each way', async () => {
    const { document } = await new Parser().parse(readFileSync(ASYNCAPI_FILE, 'utf8'));
    const channels = document?.channels().all() ?? [];
    expect(channels.map((channel) => channel.address())).toEqual(['/ws/realtime-asr']);
    const names = (action: string) =>
      (document?.operations().all() ?? [])
        .filter((operation) => operation.action() === action)
        .flatMap((operation) =>
          operation
            .messages()
            .all()
            .map((message) => message.name()),
        )
        .sort();
    expect(names('receive')).toEqual(['asr_chunk', 'control', 'feedback', 'hello', 'keepalive', 'resume']);
    expect(names('send')).toEqual([
      'ack',
      'answer',
      'audio',
      'batch_progress',
      'error',
      'progress',
      'sources',
      'status',
      'suggested',
      'usage',
    ]);
  });
});
