import { Injectable } from '@nestjs/common';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';

export interface QuestionVerdict {
  isQuestion: boolean;
  /** The utterance stops mid-sentence ("关于年假", "what about the"): what follows belongs to it. */
  unfinished: boolean;
  /** 0..1: how sure the detector is that the utterance asks for information. */
  score: number;
  /** The cues and traps that fired, e.g. `zh-particle-ma`, `trap-embedded`. */
  reasons: string[];
}

/** An utterance scoring at least this much is answered. */
export const QUESTION_THRESHOLD = 0.5;

const CJK = '\\u3400-\\u9fff\\uf900-\\ufaff';
/** Words that may open an English clause before the question proper ("so what is…"). */
const EN_LEAD = String.raw`^(?:(?:so|and|but|ok|okay|well|um|uh|hey|hi|also|then|now|sorry|excuse me),?\s+)*`;

/** Chinese word segmentation with its bundled dictionary, loaded once (about 0.2 s). */
const jieba = Jieba.withDict(dict);

/**
 * Chinese interrogative words, as the segmenter cuts them, by their start (多长时间, 怎样才能, 什么样,
 * 哪些, 几天), less the words that start alike without asking.
 */
const ZH_QUESTION_WORD = /^(?:什么|为什么|为何|怎|如何|哪|谁|多少|多久|多长|多大|何时|啥|咋|几)/;
const NOT_QUESTION_WORDS = new Set(['哪怕', '几乎', '几何', '几率', '几经', '几度', '几近', '怎么也', '怎么着', '谁知道']);

interface Utterance {
  /** Lower-cased, final punctuation kept. */
  text: string;
  /** The segmenter's words (Chinese words; other runs as they are). */
  words: string[];
}

interface Cue {
  id: string;
  matches: (utterance: Utterance) => boolean;
  /** Positive cues raise the score; traps (`factor`) scale it down. */
  weight?: number;
  factor?: number;
}

/** A cue matched by a regular expression on the text. */
const textCue = (id: string, pattern: RegExp, effect: { weight?: number; factor?: number }): Cue => ({
  id,
  matches: ({ text }) => pattern.test(text),
  ...effect,
});

/**
 * An interrogative word, whole, as the segmenter cut it: 几 in 几天 asks, in 几乎 or 茶几 it does not.
 * Not 什么 in a list's "什么的", nor in 没什么 ("nothing"), nor 谁 in rhetorical 谁知道 or a call
 * ("那个谁，过来一下").
 */
function hasZhQuestionWord({ words }: Utterance): boolean {
  return words.some((word, i) => {
    if (!ZH_QUESTION_WORD.test(word) || NOT_QUESTION_WORDS.has(word)) return false;
    const [before, after] = [words[i - 1], words[i + 1]];
    if (word === '什么') return after !== '的' && before !== '没';
    if (word === '谁') return after !== '知道' && before !== '那个';
    if (word === '多少') return after !== '有点';
    return true;
  });
}

const CUES: Array<Cue | { id: string; pattern: RegExp; weight?: number; factor?: number }> = [
  { id: 'question-mark', pattern: /[?？]\s*$/, weight: 0.6 },
  // 吗/么 closing a clause turns a statement into a yes/no question.
  { id: 'zh-particle-ma', pattern: /[吗嘛](?:[?？。!！\s]*)$/, weight: 0.75 },
  // 呢 asks only after a question word or as a topic question ("那 X 呢").
  {
    id: 'zh-particle-ne',
    pattern: new RegExp(`(?:^(?:那|那么)[^。]*呢|(?:什么|怎么|哪|谁|为什么|多少)[^。]*呢)[?？\\s]*$`),
    weight: 0.7,
  },
  { id: 'zh-wh', matches: hasZhQuestionWord, weight: 0.65 },
  { id: 'zh-what-is', pattern: /什么是|是什么/, weight: 0.3 },
  // A-not-A: 是不是, 能不能, 有没有, 可不可以…
  // (Not "没事没事": a repeated negation is no A-not-A.) "定了没有" asks too.
  { id: 'zh-a-not-a', pattern: new RegExp(`(?<![不没])([${CJK}])[不没]\\1|可不可以|需不需要|应不应该|有没有|了没有?[?？]?$`), weight: 0.75 },
  { id: 'zh-request', pattern: /(?:介绍|解释|讲|说|说明|讲解|分析|总结)(?:一下|下)|说说|讲讲|帮我查|查一下|告诉我|^解释/, weight: 0.75 },
  { id: 'zh-indirect', pattern: /我想知道|想了解|请问|我想问|能不能告诉我|可以告诉我|能告诉我/, weight: 0.75 },
  { id: 'en-wh-start', pattern: new RegExp(`${EN_LEAD}(?:what|who|whom|where|when|why|which|how|whose)(?:'s|'re)?\\b`), weight: 0.7 },
  {
    id: 'en-aux-inversion',
    pattern: new RegExp(
      `${EN_LEAD}(?!have an?\\b)(?:is|are|was|were|am|can|could|do|does|did|will|would|should|shall|may|might|have|has|had|` +
        "isn't|aren't|can't|couldn't|don't|doesn't|didn't|won't|wouldn't|shouldn't)\\s+" +
        '(?:i|you|we|they|he|she|it|there|this|that|these|those|the|my|our|your|their|a|an|any|someone|anyone|anybody)\\b',
    ),
    weight: 0.7,
  },
  // An auxiliary opening a clause of three or more words, whatever its subject ("did finance approve…").
  { id: 'en-aux-start', pattern: new RegExp(`${EN_LEAD}(?:is|are|was|were|does|did|will|can|could|should|has|have)\\s+(?!not\\b|an?\\b)[a-z][\\w-]*\\s+\\w`), weight: 0.55 },
  {
    id: 'en-request',
    pattern: new RegExp(
      `${EN_LEAD}(?:please\\s+)?(?:(?:can|could|would) you\\s+)?(?:please\\s+)?` +
        '(?:tell me|explain|describe|walk me through|give me an overview|give me a summary|summari[sz]e|show me how)\\b',
    ),
    weight: 0.75,
  },
  {
    id: 'indirect-question',
    pattern: /\b(?:i wonder(?=\s+\w)|i was wondering|i'd like to know|i would like to know|i want to know|do you know|can you tell me|could you tell me|any idea)\b/,
    weight: 0.75,
  },
  // Interrogative words used as indefinites: 什么都行, 谁都知道, whatever.
  {
    id: 'trap-indefinite',
    pattern: new RegExp(
      // "无论/不管 …", or a question word a few characters before 都/也 (什么 feature 都可以), unless 吗 ends it.
      `^(?:无论|不管|不论)|(?:(?<!为)什么|谁|哪[里儿个些]?|怎么|怎样|多少)[^，,。？?]{0,12}?[都也](?![^]*吗[?？]?$)|` +
        '\\b(?:whatever|however|whoever|wherever|whichever|whenever|anyhow)\\b',
    ),
    factor: 0.2,
  },
  // Embedded or reported questions that ask nothing: 我不知道为什么, he asked me where I was.
  {
    id: 'trap-embedded',
    pattern:
      /^(?:我|我们|他|她|他们)(?:也|都|还)?(?:不知道|不清楚|不明白|忘了|忘记了|不记得|知道|记得|问我|问他|问她|问过)|(?:他|她|他们)问(?:我|他|她|我们)|\b(?:i|we|he|she|they)\s+(?:don't|do not|didn't|did not|never)\s+(?:know|understand|remember)\b|\b(?:i|we)\s+(?:know|forgot|remember|understand)\s+(?:what|why|how|where|who|when)\b|\b(?:he|she|they)\s+asked\s+(?:me|him|her|us|them)\b|\bno idea\b/,
    factor: 0.15,
  },
  // Rhetorical questions that expect no answer.
  { id: 'trap-rhetorical', pattern: /^(?:谁知道|天知道)|^(?:who knows|who cares)\b/, factor: 0.2 },
  { id: 'trap-exclamation', pattern: /^(?:what an?\s|how about that\b|how (?:nice|great|cool|lovely|kind|wonderful|beautiful|sad|funny|interesting|amazing|awesome)\b)|多么|多(?:好|美|漂亮|棒|厉害)啊/, factor: 0.1 },
  // A clause cut off at a function word is not a question yet.
  {
    id: 'trap-fragment',
    pattern: /(?:\b(?:the|a|an|of|to|about|and|or|for|with|my|your|our|their)|那个|这个|就是|然后|一下那个)[\s,，]*$/,
    factor: 0.3,
  },
  // A topic opened and not yet asked about ("关于年假", "as for the refund"): no question unless
  // something else asks, but what the speaker says next belongs to it. Neither raises nor lowers.
  { id: 'topic-lead', pattern: /^(?:关于|至于|对于)[^，,。？?]{0,12}$|^(?:about|regarding|as for)\b[^,.?]{0,40}$/ },
];

const RULES: Cue[] = CUES.map((cue) => ('pattern' in cue ? textCue(cue.id, cue.pattern, cue) : cue));

/** Whole utterances that only keep the conversation going. */
const BACKCHANNEL =
  /^(?:嗯+|啊|哦+|噢|呃|对|对对+|是的|是|好|好的|好吧|行|可以|没问题|明白|明白了|知道了|了解|谢谢|谢谢你|ok|okay|yeah|yes|yep|no|nope|uh huh|mm+|hmm+|right|sure|got it|i see|thanks|thank you|cool|great|alright|all right)[\s,，.。!！~]*$/;

/**
 * Decides whether a final utterance asks for information: Chinese, English or both mixed, with or
 * without punctuation (ASR often has none). Whole words, not substrings, and known traps (indefinites,
 * embedded questions, exclamations, fragments, backchannels) pull the score down. Pure and synchronous.
 */
@Injectable()
export class QuestionDetector {
  detect(text: string): QuestionVerdict {
    const utterance = text.trim().toLowerCase();
    if (BACKCHANNEL.test(utterance)) return { isQuestion: false, unfinished: false, score: 0, reasons: ['backchannel'] };
    if (utterance.replace(/[\s\p{P}]/gu, '').length < 2) return { isQuestion: false, unfinished: false, score: 0, reasons: ['too-short'] };

    const words = jieba.cut(utterance, false);
    let doubt = 1;
    let factor = 1;
    const reasons: string[] = [];
    for (const cue of RULES) {
      if (!cue.matches({ text: utterance, words })) continue;
      reasons.push(cue.id);
      if (cue.weight !== undefined) doubt *= 1 - cue.weight;
      if (cue.factor !== undefined) factor = Math.min(factor, cue.factor);
    }
    const score = Math.round((1 - doubt) * factor * 1000) / 1000;
    const isQuestion = score >= QUESTION_THRESHOLD;
    const unfinished = reasons.includes('trap-fragment') || (reasons.includes('topic-lead') && !isQuestion);
    return { isQuestion, unfinished, score, reasons };
  }
}
