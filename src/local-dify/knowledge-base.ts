import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Section {
  document: string;
  heading: string;
  /** The section's text as written, markdown and newlines kept. */
  text: string;
  /** Topic terms of the document title, heading and text. */
  tokens: Set<string>;
  /** Topic terms of the heading alone: a match there counts double. */
  headingTokens: Set<string>;
  /** Every term of the heading, question words too: breaks ties ("什么是 RAG" over "RAG 的优点"). */
  headingWords: Set<string>;
}

export interface Hit {
  section: Section;
  /** 0..1: the share of the query's (idf-weighted) terms the section holds. */
  score: number;
}

const CJK_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/g;
const CJK_RUN_TEST = /[\u3400-\u9fff\uf900-\ufaff]/;
/** The weight of a query term no section holds. */
const UNKNOWN_TERM_WEIGHT = 0.5;
const WORD = /[a-z0-9][a-z0-9_-]*/g;
const STOPWORDS = new Set(
  'a an the is are was were be to of in on for and or it its this that what how why who when where which do does did can could i you we they my your our me about with from by as at'.split(
    ' ',
  ),
);

/** Bigrams made only of question words and particles: they say nothing about the topic. */
const CJK_STOP = new Set(
  '什么 是什 么是 有什 么优 怎么 么样 为什 如何 哪些 哪个 一下 请问 我们 你们 他们 可以 能不 不能 是不 不是 吗 呢 的 了 它 它有 这个 那个'.split(
    ' ',
  ),
);

/** English words and Chinese character bigrams (single characters for one-character runs), question words dropped. */
export function tokenize(text: string): string[] {
  return allTerms(text).filter((term) => !STOPWORDS.has(term) && !CJK_STOP.has(term));
}

function allTerms(text: string): string[] {
  const lower = text.toLowerCase();
  const words = lower.match(WORD) ?? [];
  const bigrams = (lower.match(CJK_RUN) ?? []).flatMap((run) =>
    run.length === 1 ? [run] : Array.from({ length: run.length - 1 }, (_, i) => run.slice(i, i + 2)),
  );
  return [...words, ...bigrams];
}

/** Markdown documents split at their headings, searched by term overlap. Deterministic, no I/O after load. */
export class KnowledgeBase {
  private readonly idf = new Map<string, number>();

  constructor(readonly sections: Section[]) {
    const documentFrequency = new Map<string, number>();
    for (const section of sections) {
      for (const token of section.tokens) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
    }
    for (const [token, count] of documentFrequency) this.idf.set(token, Math.log(1 + sections.length / count));
  }

  static load(dir: string): KnowledgeBase {
    const files = readdirSync(dir)
      .filter((file) => file.endsWith('.md'))
      .sort();
    return new KnowledgeBase(files.flatMap((file) => splitSections(file, readFileSync(join(dir, file), 'utf8'))));
  }

  /** The best sections for the query, best first. */
  search(query: string, limit = 3): Hit[] {
    return rank(this.score(query), limit);
  }

  /**
   * Like `search`, for a follow-up: the question decides, and the conversation's earlier questions
   * (weighted half) decide between sections the question alone cannot tell apart.
   */
  searchInContext(query: string, context: string, limit = 3): Hit[] {
    const own = this.score(query);
    const earlier = this.score(context);
    return rank(
      own.map((hit, i) => ({ section: hit.section, score: Math.min(1, hit.score + 0.5 * earlier[i].score) })),
      limit,
    );
  }

  /**
   * Every section's score, in section order: the idf-weighted share of the query's topic terms it
   * holds, a heading match counting double. Terms no section has weigh little, so small talk around
   * a topic ("我们来聊聊年假政策") does not drown it.
   */
  private score(query: string): Hit[] {
    const terms = [...new Set(tokenize(query))];
    const words = new Set(allTerms(query));
    const total = 2 * terms.reduce((sum, t) => sum + (this.idf.get(t) ?? UNKNOWN_TERM_WEIGHT), 0);
    const cjkQuery = CJK_RUN_TEST.test(query);
    return this.sections.map((section) => {
      if (total === 0) return { section, score: 0 };
      const matched = terms.reduce((sum, t) => {
        const weight = this.idf.get(t) ?? 0;
        return sum + (section.headingTokens.has(t) ? 2 * weight : section.tokens.has(t) ? weight : 0);
      }, 0);
      // Tiny tie-breakers: heading words in common, then the query's language.
      const headingOverlap = [...section.headingWords].filter((w) => words.has(w)).length;
      const sameLanguage = CJK_RUN_TEST.test(section.heading) === cjkQuery ? 1 : 0;
      return { section, score: matched === 0 ? 0 : 0.99 * (matched / total) + 0.001 * headingOverlap + 0.0005 * sameLanguage };
    });
  }
}

function rank(hits: Hit[], limit: number): Hit[] {
  return hits
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score || a.section.document.localeCompare(b.section.document))
    .slice(0, limit);
}

/** One section per `##` heading; the document's `#` title counts towards each section's terms. */
function splitSections(document: string, markdown: string): Section[] {
  const title = /^# (.+)$/m.exec(markdown)?.[1] ?? document;
  return markdown
    .split(/^(?=## )/m)
    .filter((part) => part.startsWith('## '))
    .map((part) => {
      const heading = part.slice(3, part.indexOf('\n')).trim();
      const text = part.slice(part.indexOf('\n') + 1).trim();
      return {
        document,
        heading,
        text,
        tokens: new Set(tokenize(`${title} ${heading} ${text}`)),
        headingTokens: new Set(tokenize(heading)),
        headingWords: new Set(allTerms(heading)),
      };
    });
}
