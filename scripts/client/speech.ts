/** What a speech front end sends while someone talks: growing partial ASR chunks, then the final one. */
import type { RealtimeRagClient } from '../../client/src/realtime-rag-client.ts';

const CJK = '\u3400-\u9fff\uf900-\ufaff';
const TOKENS = new RegExp(`[${CJK}]|[^\\s${CJK}]+\\s*|\\s+`, 'g');

/** The prefixes an ASR engine would show while the speaker talks: a few growing partials. */
export function partials(text: string): string[] {
  const tokens = text.match(TOKENS) ?? [text];
  const steps = Math.min(3, tokens.length - 1);
  return Array.from({ length: steps }, (_, i) =>
    tokens
      .slice(0, Math.ceil(((i + 1) * tokens.length) / (steps + 1)))
      .join('')
      .trim(),
  );
}

/** Sends `utterance` as partials `delayMs` apart, calling onPartial for each, then as a final chunk. */
export async function speak(
  client: Pick<RealtimeRagClient, 'sendTranscript'>,
  utterance: string,
  { delayMs, onPartial }: { delayMs: number; onPartial?: (text: string) => void },
): Promise<void> {
  for (const text of partials(utterance)) {
    client.sendTranscript(text, false);
    onPartial?.(text);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  client.sendTranscript(utterance, true);
}
