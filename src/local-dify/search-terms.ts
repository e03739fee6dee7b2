import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import stem from 'wink-porter2-stemmer';

/** The segmenter the question detector uses, with its bundled dictionary; loaded once (about 0.2 s). */
const jieba = Jieba.withDict(dict);

/**
 * Chinese runs, and Latin words or numbers, a hyphenated or snake_case name as one ("realtime-rag" is
 * not "rag"); everything else (spaces, punctuation, markdown) separates terms.
 */
const PIECE = /[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:[-_][a-z0-9]+)*/g;
const CJK = /^[\u3400-\u9fff\uf900-\ufaff]/;

/**
 * Words that say nothing about a topic: function words and question words. Without them "什么是 RAG"
 * searches for "rag" alone, and BM25's length normalisation prefers the section whose heading is
 * just that.
 */
const STOPWORDS = new Set([
  ...'的 了 吗 呢 吧 啊 呀 是 在 有 和 与 及 或 也 都 就 还 要 会 能 可以 我 你 您 他 她 它 我们 你们 他们 这 那 这个 那个 请问 一下 一个'.split(
    ' ',
  ),
  ...'什么 什么样 怎么 怎么办 怎么样 怎样 如何 为什么 哪些 哪个 哪里 多少 几 谁 意思'.split(' '),
  ...'a an the is are was were be been am to of in on for and or it its this that these those i you we they my your our me us do does did can could should would will with from by as at so if also please'.split(
    ' ',
  ),
  ...'what how why which who whom whose when where mean means s t d ll re ve m'.split(' '),
]);

const stems = new Map<string, string>();

/** English words by their stem, memoised: a knowledge base repeats its words. */
function stemmed(word: string): string {
  let result = stems.get(word);
  if (result === undefined) stems.set(word, (result = stem(word)));
  return result;
}

/**
 * The terms a text is indexed and searched by: Chinese segmented into words by jieba, English
 * words stemmed (Porter2), numbers as they are; lower-cased, function words dropped.
 */
export function searchTerms(text: string): string[] {
  const terms: string[] = [];
  for (const piece of text.toLowerCase().match(PIECE) ?? []) {
    const words = CJK.test(piece) ? jieba.cut(piece, true) : [piece];
    for (const word of words) if (!STOPWORDS.has(word)) terms.push(CJK.test(word) ? word : stemmed(word));
  }
  return terms;
}

/** Whether the text is Chinese: it has any Chinese character. */
export const isChinese = (text: string): boolean => /[\u3400-\u9fff\uf900-\ufaff]/.test(text);
