/**
 * What a speech front end sends while someone talks: growing partial ASR chunks, then the final one.
 * One source for the demo page (served compiled at /client/) and `npm run client`.
 */

const CJK = '\u3400-\u9fff\uf900-\ufaff';
const TOKENS = new RegExp(`[${CJK}]|[^\\s${CJK}]+\\s*|\\s+`, 'g');

/** What `speak` needs of a RealtimeRagClient: false when the chunk was not sent (not connected). */
export interface TranscriptSender {
  sendTranscript(text: string, isFinal: boolean): boolean;
}

/** The prefixes a recogniser shows while someone talks: Chinese by character, other text by word; up to three. */
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

/**
 * Sends `utterance` as its partials `delayMs` apart (onPartial after each), then whole as a final
 * chunk. False, and nothing more sent, as soon as a chunk was not sent.
 */
export async function speak(
  sender: TranscriptSender,
  utterance: string,
  { delayMs, onPartial }: { delayMs: number; onPartial?: (text: string) => void },
): Promise<boolean> {
  for (const text of partials(utterance)) {
    if (!sender.sendTranscript(text, false)) return false;
    onPartial?.(text);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  return sender.sendTranscript(utterance, true);
}
