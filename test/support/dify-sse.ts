import { createParser } from 'eventsource-parser';

/** A Dify stream's data events, parsed as any SSE client does (pings, which carry no data, left out). */
export async function difyEvents(body: AsyncIterable<Uint8Array | string>): Promise<Array<Record<string, unknown>>> {
  const events: Array<Record<string, unknown>> = [];
  const parser = createParser({ onEvent: ({ data }) => void (data && events.push(JSON.parse(data) as Record<string, unknown>)) });
  const decoder = new TextDecoder();
  for await (const chunk of body) parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  return events;
}
