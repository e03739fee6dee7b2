/** What a speech front end sends while someone talks: growing partial ASR chunks, then the final one. */
import type WebSocket from 'ws';

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
  socket: WebSocket,
  utterance: string,
  { delayMs, sessionId, onPartial }: { delayMs: number; sessionId?: string; onPartial?: (text: string) => void },
): Promise<void> {
  for (const text of partials(utterance)) {
    socket.send(JSON.stringify({ type: 'asr_chunk', text, is_final: false, session_id: sessionId }));
    onPartial?.(text);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  socket.send(JSON.stringify({ type: 'asr_chunk', text: utterance, is_final: true, session_id: sessionId }));
}
