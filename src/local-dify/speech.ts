import { spawn } from 'node:child_process';

export interface Speech {
  mimeType: 'audio/wav';
  audio: Buffer;
}

/** Speech is short: the text's first characters only. */
const MAX_SPOKEN_CHARS = 300;
const SAMPLE_RATE = 16_000;
const ESPEAK_TIMEOUT_MS = 5000;
/** Set once `espeak-ng` was not found, so later calls go straight to the tone. */
let espeakMissing = false;

/**
 * The text read aloud as a WAV: by `espeak-ng` where it is installed (Debian's `espeak-ng` package),
 * else a generated tone as long as the reading would be, so clients get playable audio either way.
 */
export async function synthesize(text: string): Promise<Speech> {
  const spoken = Array.from(text).slice(0, MAX_SPOKEN_CHARS).join('');
  const audio = (espeakMissing ? undefined : await espeak(spoken)) ?? tone(spoken);
  return { mimeType: 'audio/wav', audio };
}

/** espeak-ng's WAV, or undefined when it is missing or fails. */
function espeak(text: string): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const voice = /[\u3400-\u9fff]/.test(text) ? 'cmn' : 'en';
    const child = spawn('espeak-ng', ['--stdout', '-v', voice], { stdio: ['pipe', 'pipe', 'ignore'] });
    // Not spawn's own `timeout`: its timer outlives a spawn that failed (no espeak-ng).
    const timer = setTimeout(() => child.kill(), ESPEAK_TIMEOUT_MS);
    const done = (audio?: Buffer) => {
      clearTimeout(timer);
      resolve(audio);
    };
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') espeakMissing = true;
      done();
    });
    child.once('close', (code) => done(code === 0 && chunks.length > 0 ? Buffer.concat(chunks) : undefined));
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
  });
}

/** A 440 Hz tone, 80 ms per character (0.3–3 s), faded in and out: a 16-bit mono PCM WAV. */
function tone(text: string): Buffer {
  const seconds = Math.min(3, Math.max(0.3, 0.08 * Array.from(text).length));
  const samples = Math.round(seconds * SAMPLE_RATE);
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(SAMPLE_RATE, 24);
  wav.writeUInt32LE(SAMPLE_RATE * 2, 28); // bytes per second
  wav.writeUInt16LE(2, 32); // bytes per frame
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(samples * 2, 40);
  const fade = SAMPLE_RATE * 0.02;
  for (let i = 0; i < samples; i++) {
    const envelope = Math.min(1, i / fade, (samples - i) / fade);
    wav.writeInt16LE(Math.round(0.3 * 32767 * envelope * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE)), 44 + i * 2);
  }
  return wav;
}
