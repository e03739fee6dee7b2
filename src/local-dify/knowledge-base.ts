import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import MiniSearch, { SearchOptions } from 'minisearch';
import { isChinese, searchTerms } from './search-terms';

export interface Section {
  document: string;
  /** The document's `#` title. */
  title: string;
  heading: string;
  /** The section's text as written, markdown and newlines kept. */
  text: string;
  /** Written in Chinese (its heading or text has Chinese characters), else English. */
  chinese: boolean;
}

export interface Hit {
  section: Section;
  /**
   * 0..1: the section's BM25 score (MiniSearch's) as a share of the most the question could score
   * here: every one of its terms matched, each as well as the section best at it matches it. A term
   * no section holds is one the question has and no section matches.
   */
  score: number;
}

/** Field weights: a heading names its section's topic; the document title is shared by all its sections. */
const BOOST = { heading: 2, text: 1, title: 0.5 };
/** A section in the question's language ranks above its translation. */
const SAME_LANGUAGE = 1.2;

/** Markdown documents split at their headings, searched with BM25. Deterministic, no I/O after load. */
export class KnowledgeBase {
  private readonly index = new MiniSearch<{ id: number } & Pick<Section, 'title' | 'heading' | 'text'>>({
    fields: ['title', 'heading', 'text'],
    tokenize: searchTerms,
    // searchTerms already lower-cased and stemmed; a search is given its terms joined by spaces.
    processTerm: (term) => term,
    searchOptions: { boost: BOOST, tokenize: (terms) => terms.split(' ') },
  });

  constructor(readonly sections: Section[]) {
    this.index.addAll(sections.map(({ title, heading, text }, id) => ({ id, title, heading, text })));
  }

  static load(dir: string): KnowledgeBase {
    const files = readdirSync(dir)
      .filter((file) => file.endsWith('.md'))
      .sort();
    return new KnowledgeBase(files.flatMap((file) => splitSections(file, readFileSync(join(dir, file), 'utf8'))));
  }

  /** The best sections for the question alone, best first; only sections that share a term with it. */
  search(query: string, limit = 3): Hit[] {
    const terms = [...new Set(searchTerms(query))];
    const chinese = isChinese(query);
    const options: SearchOptions = { boostDocument: (id: number) => (this.sections[id].chinese === chinese ? SAME_LANGUAGE : 1) };
    // MiniSearch multiplies a section's summed term scores by how many of the terms it matched, so
    // the most possible is the number of terms times the sum of each term's best score.
    const best = terms.map((term) => this.index.search(term, options)[0]?.score ?? 0);
    const most = terms.length * best.reduce((sum, score) => sum + score, 0);
    if (most === 0) return [];
    return this.index
      .search(terms.join(' '), options)
      .map((result) => ({ id: result.id as number, score: result.score / most }))
      .sort((a, b) => b.score - a.score || a.id - b.id)
      .slice(0, limit)
      .map(({ id, score }) => ({ section: this.sections[id], score }));
  }
}

/** One section per `##` heading. */
function splitSections(document: string, markdown: string): Section[] {
  const title = /^# (.+)$/m.exec(markdown)?.[1] ?? document;
  return markdown
    .split(/^(?=## )/m)
    .filter((part) => part.startsWith('## '))
    .map((part) => {
      const heading = part.slice(3, part.indexOf('\n')).trim();
      const text = part.slice(part.indexOf('\n') + 1).trim();
      return { document, title, heading, text, chinese: isChinese(`${heading} ${text}`) };
    });
}
