import type { DifyRetrieverResource } from '../../dify';

/** A chunk of RAGFlow's `reference` (its field names changed across versions: both are read). */
interface RagflowChunk {
  id?: unknown;
  chunk_id?: unknown;
  content?: unknown;
  content_with_weight?: unknown;
  document_id?: unknown;
  doc_id?: unknown;
  document_name?: unknown;
  docnm_kwd?: unknown;
  dataset_id?: unknown;
  kb_id?: unknown;
  similarity?: unknown;
}

/** RAGFlow's `reference.chunks` as our sources (Dify's retriever resources' fields). */
export function ragflowSources(reference: unknown): DifyRetrieverResource[] {
  const chunks = (reference as { chunks?: unknown } | null | undefined)?.chunks;
  const list: unknown[] = Array.isArray(chunks) ? chunks : chunks && typeof chunks === 'object' ? Object.values(chunks) : [];
  return list.map((raw, index) => {
    const chunk = (raw ?? {}) as RagflowChunk;
    return {
      position: index + 1,
      dataset_id: text(chunk.dataset_id ?? chunk.kb_id),
      document_id: text(chunk.document_id ?? chunk.doc_id),
      document_name: text(chunk.document_name ?? chunk.docnm_kwd),
      segment_id: text(chunk.id ?? chunk.chunk_id),
      score: typeof chunk.similarity === 'number' ? chunk.similarity : undefined,
      content: text(chunk.content ?? chunk.content_with_weight),
    };
  });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
