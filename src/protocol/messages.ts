/**
 * The WebSocket protocol's messages, as the replaced Python service spoke them (shared/protocol.md).
 * Fields are only ever added, never renamed or reshaped: existing clients must keep working. Their
 * types are generated from the contract, docs/asyncapi.yaml (protocol.types.ts); here they get the
 * names the server uses, with the lists it iterates.
 */
import type * as Wire from './protocol.types';
import type { Feature } from './protocol.types';

export const INBOUND_TYPES = [
  'asr_chunk',
  'control',
  'keepalive',
  'hello',
  'resume',
  'feedback',
] as const satisfies readonly Wire.ClientMessage['type'][];
export type InboundType = (typeof INBOUND_TYPES)[number];

/** Inbound messages nest objects and arrays at most this deep (the message object itself is level 1). */
export const MAX_JSON_DEPTH = 8;

export const CONTROL_ACTIONS = ['pause', 'resume', 'stop', 'instant_query'] as const satisfies readonly Wire.Control['action'][];
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/**
 * Opt-in additions to the protocol, per connection (`?features=sources,usage` or a `hello` message):
 * off by default, so a client that asks for nothing sees exactly the original protocol.
 */
export const FEATURES = ['sources', 'usage', 'progress', 'suggested', 'tts', 'batch'] as const satisfies readonly Feature[];

/** The known features among `names`, in FEATURES order; unknown names are ignored (forward compatible). */
export function knownFeatures(names: readonly string[]): Feature[] {
  return FEATURES.filter((feature) => names.includes(feature));
}

export type { Feature, FinishReason, Source } from './protocol.types';

export type Stage = Wire.Status['stage'];

/**
 * Hand-written, not the contract's Ack: that one says (by a conditional) that `connected` comes
 * without `received_type`, which Conversation's ack builder, taking the fields to add, cannot narrow to.
 */
export interface AckMessage {
  type: 'ack';
  /** `connected` on connect; `paused` when an asr_chunk was ignored because the session is paused. */
  message?: 'connected' | 'paused';
  received_type?: InboundType;
  is_final?: boolean;
  /** On the ack of a `hello`: the features now on for this connection. */
  features?: Feature[];
  session_id: string;
}
export type StatusMessage = Wire.Status;
export type AnswerMessage = Wire.Answer;
export type ErrorMessage = Wire.Error;
export type ErrorCode = Wire.Error['code'];
export type SourcesMessage = Wire.Sources;
export type UsageMessage = Wire.Usage;
export type ProgressMessage = Wire.Progress;
export type SuggestedMessage = Wire.Suggested;
export type AudioMessage = Wire.Audio;
export type AudioFormat = Wire.Audio['format'];
export type BatchProgressMessage = Wire.BatchProgress;
export type OutboundMessage = AckMessage | Exclude<Wire.ServerMessage, Wire.Ack>;
