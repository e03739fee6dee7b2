import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Section {
  document: string;
  heading: string;
  /** The section's text as written, markdown and newlines kept. */
  text: string;
  tokens: Set<string>;
}

export interface Hit {
  section: Section;
  /** 0..1: the share of the query's (idf-weighted) terms the section holds. */
  score: number;
}

const CJK_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/g;
const WORD = /[a-z0-9][a-z0-9_-]*/g;
const STOPWORDS = new Set(
  'a an the is are was were be to of in on for and or it its this that what how why who when where which do does did can could i you we they my your our me about with from by as at'.split(' '),
);

/** English words and Chinese character bigrams (single characters for one-character runs). */
export function tokenize(text: string): string[] {
  const lower = text.toLowerCase();
  const words = (lower.match(WORD) ?? []).filter((w) => !STOPWORDS.has(w));
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
    const files = readdirSync(dir).filter((file) => file.endsWith('.md')).sort();
    return new KnowledgeBase(files.flatMap((file) => splitSections(file, readFileSync(join(dir, file), 'utf8'))));
  }

  search(query: string, limit = 3): Hit[] {
    const terms = [...new Set(tokenize(query))];
    const total = terms.reduce((sum, t) => sum + (this.idf.get(t) ?? Math.log(1 + this.sections.length)), 0);
    if (total === 0) return [];
    return this.sections
      .map((section) => ({
        section,
        score: terms.reduce((sum, t) => sum + (section.tokens.has(t) ? this.idf.get(t)! : 0), 0) / total,
      }))
      .filter((hit) => hit.score > 0)
      .sort((a, b) => b.score - a.score || a.section.document.localeCompare(b.section.document))
      .slice(0, limit);
  }
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
      // The heading counts twice: it says what the section is about.
      return { document, heading, text, tokens: new Set(tokenize(`${title} ${heading} ${heading} ${text}`)) };
    });
}
