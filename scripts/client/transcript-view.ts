/**
 * A readable, live transcript of the conversation for a terminal: what the speaker says (partials
 * rewritten in place), statuses dimmed, the answer streaming in as it comes (across reconnects: the
 * client library resumes it), then its sources and timing. Colours only on a terminal (picocolors
 * honours NO_COLOR and pipes).
 */
import pc from 'picocolors';
import type { AnswerUpdate, ConnectionChange, Wire } from '../../client/src/realtime-rag-client.ts';

export class TranscriptView {
  /** Something is printed on the current line without a newline (a partial, or a streaming answer). */
  private openLine: 'partial' | 'answer' | undefined;
  /** The answer on the open answer line. */
  private answerId?: string;

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

  /** Statuses, errors, sources and usage (answers come as updates: see `answer`). */
  show(message: Wire.ServerMessage): void {
    switch (message.type) {
      case 'status':
        return this.line(pc.dim(`  · ${message.stage}${message.note ? ` (${message.note})` : ''}`));
      case 'error':
        return this.line(pc.red(`  ✗ ${message.code}: ${message.message}${message.retryable ? ' (retryable)' : ''}`));
      case 'sources':
        return this.sources(message.sources);
      case 'usage':
        return this.line(pc.dim(`  ${usageLine(message)}`));
    }
  }

  /** The answer streaming on one line; a replaced one, or one whose line another cut, starts a new line. */
  answer(update: AnswerUpdate): void {
    const sameLine = this.openLine === 'answer' && this.answerId === update.answerId;
    if (!sameLine || update.replaced) {
      const continued = !update.replaced && this.answerId === update.answerId;
      this.endLine(true);
      this.out.write(pc.cyan(continued ? '🤖 …' : '🤖 '));
      this.openLine = 'answer';
      this.answerId = update.answerId;
    }
    this.out.write(update.delta);
    if (!update.final) return;
    this.out.write(update.finishReason === 'complete' ? '\n' : pc.yellow(` [${update.finishReason}]\n`));
    this.openLine = undefined;
  }

  /** A connection opened, or went and is being reconnected. */
  connection(change: ConnectionChange, sessionId?: string): void {
    const ended = change.ended && `${change.ended.code}${change.ended.reason ? `: ${change.ended.reason}` : ''}`;
    if (change.state === 'open') this.line(pc.dim(`connected · session ${sessionId}`));
    if (change.state === 'reconnecting') this.line(pc.dim(`  · connection lost (${ended}); reconnecting in ${change.retryInMs} ms`));
  }

  private sources(sources: Wire.Source[]): void {
    if (sources.length === 0) return this.line(pc.dim('  sources: none cited'));
    this.line(pc.dim('  sources:'));
    for (const source of sources) {
      const score = typeof source.score === 'number' ? ` ${source.score.toFixed(2)}` : '';
      const excerpt = source.content.replace(/\s+/g, ' ').slice(0, 70);
      this.line(`   ${pc.dim(`[${source.position}]`)} ${source.document_name}${pc.dim(`${score} · ${excerpt}…`)}`);
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

function usageLine(usage: Wire.Usage): string {
  const parts = [
    usage.first_chunk_ms !== undefined ? `first chunk ${usage.first_chunk_ms} ms` : undefined,
    `${usage.duration_ms} ms`,
    usage.total_tokens !== undefined ? `${usage.total_tokens} tokens` : undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}
