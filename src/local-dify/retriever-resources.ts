import { createHash } from 'node:crypto';
import { Hit, Section } from './knowledge-base';
import { stableUuid } from './stable-id';

const DATASET_NAME = 'Local knowledge base';
const DATASET_ID = stableUuid('dataset:local-knowledge');

/**
 * One retrieved segment as Dify lists it: the stream's `RetrievalSourceMetadata` fields (`retriever_from`,
 * `page`, `doc_metadata`, `title`, `files`) and the history's (`id`, `message_id`, `created_at`), each
 * of the OpenAPI schema's `RetrieverResource` fields with its type.
 */
export interface RetrieverResource {
  id: string;
  message_id: string;
  position: number;
  dataset_id: string;
  dataset_name: string;
  document_id: string;
  document_name: string;
  data_source_type: string;
  segment_id: string;
  retriever_from: string;
  score: number;
  hit_count: number;
  word_count: number;
  segment_position: number;
  index_node_hash: string;
  content: string;
  page: null;
  doc_metadata: null;
  title: string;
  files: null;
  summary: null;
  created_at: number;
}

/**
 * Turns knowledge-base hits into Dify's retriever resources. The knowledge base knows sections, not
 * Dify's documents and segments: a segment's position is its section's place in its document, found
 * by heading, and every id is derived from names (`stableUuid`), so it is the same in every reply.
 * Like Dify, it counts how often each segment was retrieved (`hit_count`).
 */
export class RetrieverResources {
  /** Each document's section headings, in order. */
  private readonly headings = new Map<string, string[]>();
  private readonly hitCounts = new Map<string, number>();

  constructor(sections: readonly Section[]) {
    for (const { document, heading } of sections) this.headings.set(document, [...(this.headings.get(document) ?? []), heading]);
  }

  /** One message's resources; each call counts as a retrieval of those segments. */
  forMessage(hits: Hit[], messageId: string, createdAt: number): RetrieverResource[] {
    return hits.map(({ section, score }, i) => {
      const segmentPosition = (this.headings.get(section.document)?.indexOf(section.heading) ?? -1) + 1;
      const segmentId = stableUuid(`segment:${section.document}:${segmentPosition}:${section.heading}`);
      const hitCount = (this.hitCounts.get(segmentId) ?? 0) + 1;
      this.hitCounts.set(segmentId, hitCount);
      return {
        id: stableUuid(`resource:${messageId}:${i}`),
        message_id: messageId,
        position: i + 1,
        dataset_id: DATASET_ID,
        dataset_name: DATASET_NAME,
        document_id: stableUuid(`document:${section.document}`),
        document_name: section.document,
        data_source_type: 'upload_file',
        segment_id: segmentId,
        retriever_from: 'api',
        score: Math.round(score * 1000) / 1000,
        hit_count: hitCount,
        word_count: section.text.length,
        segment_position: segmentPosition,
        index_node_hash: createHash('sha256').update(section.text).digest('hex'),
        content: section.text,
        page: null,
        doc_metadata: null,
        title: section.heading,
        files: null,
        summary: null,
        created_at: createdAt,
      };
    });
  }
}
