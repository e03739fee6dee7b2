import { sessionIdOf } from '../session';
import type { AnswerUpstream, LogEntry, LoggedMessage, LogState } from './answer-log';
import type { AnswerChunk } from './session-message';

/**
 * How an answer's log entries are written in its Redis stream: field names of one letter, and for
 * the answer's chunks (nearly every entry) only what varies from one to the next, the rest of the
 * message (type, answer id, session id) rebuilt on reading from the stream's own session and answer.
 *
 *  c  a chunk's content; with  r  it replaces the text before it; with  z  it is the final chunk,
 *     z's value its finish reason ('' for none)
 *  m  any other message, whole (JSON), and  f  the feature a connection needs to get it
 *  d  where Dify keeps the answer (JSON)
 *  e  the answer ended;  h  its instance left it to Dify (a hand-over, or a hole the writer could
 *     not fill: the reader fetches the rest from Dify as for a hand-over)
 *
 * Each entry decodes on its own (no state across entries), so a follower can start anywhere.
 * Entries of older instances (`m` for every message) read the same (a fleet upgraded mid-answer).
 *
 * An ended answer's entries are kept compacted, as one string (see COMPACTED_LUA): a stream costs
 * 4 KB at least (Redis preallocates its newest node), the string about its text.
 */

/** The fields of the mark that ends an answer. */
export const ENDED = ['e', '1'];
/** The fields of the mark that hands an answer over to Dify. */
export const HANDED_OVER = ['h', '1'];
/** The fields of the mark written where entries were lost: readers stop there, as at a hand-over. */
export const HOLE = ['h', 'hole'];

/**
 * A Lua function of the writer's script: an ended answer's stream entries (its XRANGE) as one string,
 * the JSON array `[n, entry, entry, …]`: n the number of the first entry's id (the writer's ids are
 * n-0, n+1-0, …, so the others need no room), each entry its fields (`["e","1"]`), or, for a text
 * chunk `c <text>` (nearly every entry), its text alone: about 3 bytes beside the text, where a stream
 * entry takes about 30. nil when the ids are not the writer's (then the stream stays as it is).
 */
export const COMPACTED_LUA = `
local function compacted(entries)
  local first = entries[1] and tonumber(string.match(entries[1][1], '^(%d+)-0$'))
  if not first then return nil end
  local compact = { first }
  for i, entry in ipairs(entries) do
    if entry[1] ~= (first + i - 1) .. '-0' then return nil end
    local fields = entry[2]
    compact[i + 1] = (#fields == 2 and fields[1] == 'c') and fields[2] or fields
  end
  return cjson.encode(compact)
end`;

/** The entries (ids and fields) of an answer compacted by COMPACTED_LUA, as its stream had them. */
export function compactedEntries(compact: string): Array<[id: string, fields: string[]]> {
  const [first, ...entries] = JSON.parse(compact) as [number, ...Array<string | string[]>];
  return entries.map((entry, i) => [`${first + i}-0`, typeof entry === 'string' ? ['c', entry] : entry]);
}

/** The keys an answer chunk may have for its short form; a chunk with any other keeps its whole JSON. */
const CHUNK_KEYS = new Set(['type', 'content', 'final', 'replace', 'finish_reason', 'answer_id', 'session_id']);

/** The fields of one message of answer `answerId` of session `session`. */
export function messageFields(session: string, answerId: string, { message, feature }: LoggedMessage): string[] {
  const chunk = message as AnswerChunk;
  if (!feature && isShortChunk(chunk, session, answerId)) {
    const fields = ['c', chunk.content];
    if (chunk.replace) fields.push('r', '1');
    if (chunk.final) fields.push('z', chunk.finish_reason ?? '');
    return fields;
  }
  return ['m', JSON.stringify(message), ...(feature ? ['f', feature] : [])];
}

/** The fields that say where Dify keeps the answer. */
export function upstreamFields(upstream: AnswerUpstream): string[] {
  return ['d', JSON.stringify(upstream)];
}

/**
 * One entry of answer `answerId` of session `session` as it was logged: a message or where Dify
 * keeps the answer, or the state a mark leaves the answer in.
 */
export function decodeEntry(session: string, answerId: string, fields: string[]): LogEntry | Exclude<LogState, 'open'> {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i], fields[i + 1]);
  if (values.has('h')) return 'handed_over';
  const content = values.get('c');
  if (content !== undefined) return { message: rebuiltChunk(session, answerId, content, values) };
  const upstream = values.get('d');
  if (upstream !== undefined) return { upstream: JSON.parse(upstream) as AnswerUpstream };
  const message = values.get('m');
  if (message === undefined) return 'ended';
  return { message: JSON.parse(message) as unknown, feature: values.get('f') };
}

function isShortChunk(chunk: AnswerChunk, session: string, answerId: string): boolean {
  return (
    chunk?.type === 'answer' &&
    typeof chunk.content === 'string' &&
    typeof chunk.final === 'boolean' &&
    (chunk.replace === undefined || chunk.replace === true) &&
    (chunk.finish_reason === undefined || (chunk.final && chunk.finish_reason !== ('' as string))) &&
    chunk.answer_id === answerId &&
    chunk.session_id === sessionIdOf(session) &&
    Object.keys(chunk).every((key) => CHUNK_KEYS.has(key))
  );
}

function rebuiltChunk(session: string, answerId: string, content: string, values: Map<string, string>): AnswerChunk {
  const reason = values.get('z');
  return {
    type: 'answer',
    content,
    final: reason !== undefined,
    ...(values.has('r') ? { replace: true as const } : {}),
    ...(reason ? { finish_reason: reason as AnswerChunk['finish_reason'] } : {}),
    answer_id: answerId,
    session_id: sessionIdOf(session),
  };
}
