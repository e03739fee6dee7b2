import { Hit, KnowledgeBase } from './knowledge-base';

/** Below this a hit is not about the question. */
const RELEVANT = 0.2;
/** Below this a short follow-up is read together with the conversation's earlier questions. */
const CONFIDENT = 0.45;

export interface ComposedAnswer {
  answer: string;
  hits: Hit[];
}

const hasCjk = (text: string) => /[\u3400-\u9fff]/.test(text);

/**
 * Answers from the best-matching section, quoting it as written. A follow-up that retrieves weakly
 * on its own ("它有什么优点？") is searched together with the earlier questions, so it is answered
 * in the conversation's context.
 */
export function composeAnswer(knowledge: KnowledgeBase, query: string, earlierQueries: string[]): ComposedAnswer {
  let hits = knowledge.search(query);
  if ((hits[0]?.score ?? 0) < CONFIDENT && earlierQueries.length > 0) {
    const inContext = knowledge.searchInContext(query, earlierQueries.slice(-2).join(' '));
    if ((inContext[0]?.score ?? 0) > (hits[0]?.score ?? 0)) hits = inContext;
  }
  hits = hits.filter((hit) => hit.score >= RELEVANT);
  if (hits.length === 0) {
    return {
      answer: hasCjk(query)
        ? '抱歉，知识库中没有找到与这个问题相关的内容。'
        : "Sorry, I couldn't find anything about that in the knowledge base.",
      hits,
    };
  }
  const { section } = hits[0];
  const lead = hasCjk(query) ? `根据《${section.heading}》：\n\n` : `From "${section.heading}":\n\n`;
  return { answer: `${lead}${section.text}`, hits };
}
