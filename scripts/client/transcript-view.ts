/**
 * A readable, live transcript of the conversation for a terminal: what the speaker says (partials
 * rewritten in place), statuses dimmed, the answer streaming in as it comes, then its sources and
 * timing. Colours only on a terminal (picocolors honours NO_COLOR and pipes).
 */
import pc from 'picocolors';

type Message = Record<string, unknown>;

/** A field of a received message, as text (they are strings and numbers; anything else as JSON). */
const str = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value));

export class TranscriptView {
  /** Something is printed on the current line without a newline (a partial, or a streaming answer). */
  private openLine: 'partial' | 'answer' | undefined;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  partial(text: string): void {
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${pc.dim(`🎤 ${text}…`)}`);
      this.openLine = 'partial';
    }
  }

  said(text: string): void {
    this.endLine(true);
    this.out.write(`${pc.bold('🎤 ')}${text}\n`);
  }

  show(message: Message): void {
    switch (message.type) {
      case 'answer':
        return this.answer(message);
      case 'status':
        return this.line(pc.dim(`  · ${str(message.stage)}${message.note ? ` (${str(message.note)})` : ''}`));
      case 'error':
        return this.line(pc.red(`  ✗ ${str(message.code)}: ${str(message.message)}${message.retryable ? ' (retryable)' : ''}`));
      case 'sources':
        return this.sources(message.sources as Message[]);
      case 'usage':
        return this.line(pc.dim(`  ${usageLine(message)}`));
      case 'ack':
        if (message.message === 'connected') this.line(pc.dim(`connected · session ${str(message.session_id)}`));
        return;
    }
  }

  private answer(message: Message): void {
    if (message.stream_index === 0 || message.replace) {
      this.endLine(true);
      this.out.write(pc.cyan('🤖 '));
      this.openLine = 'answer';
    }
    this.out.write(String(message.content));
    if (!message.final) return;
    this.out.write(message.finish_reason === 'complete' ? '\n' : pc.yellow(` [${str(message.finish_reason)}]\n`));
    this.openLine = undefined;
  }

  private sources(sources: Message[]): void {
    if (sources.length === 0) return this.line(pc.dim('  sources: none cited'));
    this.line(pc.dim('  sources:'));
    for (const source of sources) {
      const score = typeof source.score === 'number' ? ` ${source.score.toFixed(2)}` : '';
      const excerpt = String(source.content).replace(/\s+/g, ' ').slice(0, 70);
      this.line(`   ${pc.dim(`[${str(source.position)}]`)} ${str(source.document_name)}${pc.dim(`${score} · ${excerpt}…`)}`);
    }
  }

  private line(text: string): void {
    this.endLine(false);
    this.out.write(`${text}\n`);
  }

  /** Ends an open line: a partial is erased when `erasePartial`, an answer in progress keeps its text. */
  private endLine(erasePartial: boolean): void {
    if (this.openLine === 'partial') this.out.write(erasePartial ? '\r\x1b[2K' : '\n');
    if (this.openLine === 'answer') this.out.write('\n');
    this.openLine = undefined;
  }
}

function usageLine(usage: Message): string {
  const parts = [
    usage.first_chunk_ms !== undefined ? `first chunk ${str(usage.first_chunk_ms)} ms` : undefined,
    `${str(usage.duration_ms)} ms`,
    usage.total_tokens !== undefined ? `${str(usage.total_tokens)} tokens` : undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}
