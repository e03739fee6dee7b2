import { ConfigType } from '@nestjs/config';
import { sessionConfig } from '../config';
import { DifyApps } from '../dify';
import { ProtocolError } from '../protocol';
import { InMemorySessionStore, SessionRecords, sessionKey } from '../session';
import { SessionInputs } from './session-inputs';

describe('SessionInputs', () => {
  const MAX = 1024;
  // A paragraph without max_length: the form alone would accept any length.
  const app = { parameters: jest.fn(async () => ({ user_input_form: [{ paragraph: { variable: 'notes', required: false } }] })) };
  let store: InMemorySessionStore;
  let inputs: SessionInputs;

  beforeEach(() => {
    store = new InMemorySessionStore(60_000, 10);
    const config = { maxInputsBytes: MAX } as ConfigType<typeof sessionConfig>;
    inputs = new SessionInputs({ find: () => ({ api: app }) } as unknown as DifyApps, new SessionRecords(store), config);
  });

  it('keeps inputs up to MAX_INPUTS_BYTES, counted as UTF-8 JSON', async () => {
    // {"notes":"…"} is 12 bytes around the text; a CJK character is 3 bytes.
    const notes = '知'.repeat(Math.floor((MAX - 12) / 3));
    await inputs.set('p', 'hr', 's', { notes });
    expect((await store.get(sessionKey('p', 'hr', 's')))?.inputs).toEqual({ notes });
  });

  it('refuses larger inputs with INVALID_MESSAGE naming inputs and the limit, and keeps the old ones', async () => {
    await inputs.set('p', 'hr', 's', { notes: 'short' });
    const refused = inputs.set('p', 'hr', 's', { notes: '知'.repeat(MAX) });
    await expect(refused).rejects.toBeInstanceOf(ProtocolError);
    await expect(refused).rejects.toMatchObject({
      code: 'INVALID_MESSAGE',
      message: expect.stringMatching(/inputs are \d+ bytes .* 1024/),
    });
    expect((await store.get(sessionKey('p', 'hr', 's')))?.inputs).toEqual({ notes: 'short' });
  });

  it('refuses a value the form would accept only for its size, before asking Dify for the form', async () => {
    app.parameters.mockClear();
    await expect(inputs.set('p', 'hr', 'other', { notes: 'x'.repeat(MAX) })).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    expect(app.parameters).not.toHaveBeenCalled();
    expect(await store.get(sessionKey('p', 'hr', 'other'))).toBeUndefined();
  });
});
