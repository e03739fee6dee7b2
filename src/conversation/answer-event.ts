import { DifyEvent, DifyRetrieverResource, DifyStep, DifyUsage } from '../dify';

/** A piece of an answer: text to append, or (`replace`) text that replaces the answer so far. */
export interface AnswerPiece {
  text: string;
  replace: boolean;
}

/**
 * What Dify said about a complete answer (its `message_end`): the last event before completion. Or,
 * with `cut`, the end of an answer cut at MAX_ANSWER_CHARS (stopped upstream; Dify said nothing more).
 */
export interface AnswerEnd {
  end: true;
  cut?: true;
  messageId?: string;
  conversationId?: string;
  sources: DifyRetrieverResource[];
  usage?: DifyUsage;
}

/** Where Dify keeps this answer (its first event says): another instance can fetch it if this one dies. */
export interface AnswerStart {
  start: true;
  messageId: string;
  conversationId: string;
  user: string;
}

/** A step of the Dify app's work (a chatflow node, an agent's tool call). */
export interface AnswerStep {
  step: DifyStep;
}

/** A piece of the spoken answer (base64 MP3); `last` at its end. */
export interface AnswerAudio {
  audio: string;
  last: boolean;
}

export type AnswerEvent = AnswerStart | AnswerPiece | AnswerEnd | AnswerStep | AnswerAudio;

export const isAnswerEnd = (event: AnswerEvent): event is AnswerEnd => 'end' in event;
export const isAnswerStart = (event: AnswerEvent): event is AnswerStart => 'start' in event;
export const isAnswerPiece = (event: AnswerEvent): event is AnswerPiece => 'text' in event;

/** Answer text (empty pieces dropped), the app's named steps, audio, and the end; other events are not the client's business. */
export function toAnswerEvent(event: DifyEvent): AnswerEvent | undefined {
  switch (event.kind) {
    case 'progress':
      return event.step ? { step: event.step } : undefined;
    case 'audio':
      return { audio: event.audio, last: event.end };
    case 'text':
      return event.text === '' ? undefined : { text: event.text, replace: false };
    case 'replace':
      return { text: event.text, replace: true };
    case 'end':
      return {
        end: true,
        messageId: event.messageId || undefined,
        conversationId: event.conversationId || undefined,
        sources: event.retrieverResources,
        usage: event.usage,
      };
  }
}
