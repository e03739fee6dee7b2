import { Section } from './knowledge-base';
import { RetrieverResource } from './retriever-resources';

const COUNT = 3;
const hasCjk = (text: string) => /[\u3400-\u9fff]/.test(text);
const QUESTION_LIKE = /^(what|how|why|who|when|where|which|is|are|do|does|can)\b|什么|如何|怎么|吗|哪|[?？]$/i;

/**
 * Follow-up questions after an answer, as Dify's model suggests them: the headings of the sections
 * beside the answered ones (the same documents first, then the rest), in the question's language,
 * phrased as questions. Nothing in the question's language beside them: `fallback`.
 */
export function suggestFollowUps(
  sections: readonly Section[],
  query: string,
  sources: RetrieverResource[],
  fallback: readonly string[],
): string[] {
  const answered = new Set(sources.map((s) => `${s.document_name}\n${s.title}`));
  const documents = new Set(sources.map((s) => s.document_name));
  const candidates = sections.filter((s) => !answered.has(`${s.document}\n${s.heading}`) && hasCjk(s.heading) === hasCjk(query));
  const ordered = [...candidates.filter((s) => documents.has(s.document)), ...candidates.filter((s) => !documents.has(s.document))];
  const questions = ordered.slice(0, COUNT).map((s) => asQuestion(s.heading));
  return questions.length > 0 ? questions : fallback.slice(0, COUNT);
}

function asQuestion(heading: string): string {
  if (hasCjk(heading)) return QUESTION_LIKE.test(heading) ? `${heading.replace(/[?？]$/, '')}？` : `能介绍一下${heading}吗？`;
  return QUESTION_LIKE.test(heading) ? `${heading.replace(/\?$/, '')}?` : `Can you tell me about ${heading.toLowerCase()}?`;
}
