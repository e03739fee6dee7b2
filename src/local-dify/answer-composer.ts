import { Hit, KnowledgeBase } from './knowledge-base';
import { isChinese } from './search-terms';

/** Below this a section is not about the question (see Hit.score): it is neither quoted nor cited. */
const RELEVANT = 0.1;

export interface ComposedAnswer {
  answer: string;
  /** The sections cited, best first, with their scores. */
  hits: Hit[];
}

/**
 * Answers from the best section for the question, quoting it as written, and cites every relevant
 * section found; or says honestly that nothing was found, in the language asked.
 *
 * The question alone decides, so the same question gets the same answer wherever it comes in a
 * conversation: earlier questions are not searched.
 */
export function composeAnswer(knowledge: KnowledgeBase, query: string): ComposedAnswer {
  const hits = knowledge.search(query).filter((hit) => hit.score >= RELEVANT);
  const chinese = isChinese(query);
  if (hits.length === 0) {
    return {
      answer: chinese
        ? '抱歉，知识库中没有找到与这个问题相关的内容。'
        : "Sorry, I couldn't find anything about that in the knowledge base.",
      hits,
    };
  }
  const { section } = hits[0];
  const lead = chinese ? `根据《${section.heading}》：\n\n` : `From "${section.heading}":\n\n`;
  return { answer: `${lead}${section.text}`, hits };
}
