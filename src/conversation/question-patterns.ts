/**
 * The patterns the question detector scores an utterance with: positive cues (a question mark, 吗,
 * a wh-word opening a clause, a request to be told…) and traps (indefinites, embedded or rhetorical
 * questions, exclamations, fragments). A data table with the few word-level checks it needs; the
 * weights and the scoring are in question-detector.ts.
 */

export interface Utterance {
  /** Trimmed and lower-cased, final punctuation kept. */
  text: string;
  /** The segmenter's words: Chinese words, other runs (Latin words, spaces, punctuation) as they are. */
  words: string[];
}

// ---- Shared pieces of the English patterns -------------------------------------------------------

const EN_WH = 'what|who|whom|where|when|why|which|how|whose';
/** Openers that may precede the question proper ("so what is…", "by the way, how do I…"). */
const EN_LEAD = String.raw`(?:(?:so|and|but|ok|okay|well|um|uh|hey|hi|also|then|now|sorry|excuse me|by the way|quick question|i have a question|one more question),?\s+)*`;
/** The start of the utterance or of a clause after punctuation, then any openers. */
const CLAUSE_START = String.raw`(?:^|[,;:.，。；：]\s*)${EN_LEAD}`;
const EN_SUBJECT = 'i|you|we|they|he|she|it|there|this|that|these|those|the|my|our|your|their|a|an|any|someone|anyone|anybody';
const EN_PREPOSITION = 'about|of|to|for|with|from|on|in|at';

// ---- Positive cues ---------------------------------------------------------------------------------

// A final ? or ？ alone passes the threshold, but never outweighs a trap ("我不知道为什么？", "what a day?").
export const QUESTION_MARK = /[?？]\s*$/;
// 吗 closing the utterance turns a statement into a yes/no question ("你们周末上班吗").
export const ZH_PARTICLE_MA = /吗[?？。!！\s]*$/;
// 呢 closing the utterance, which asks only in company (hasZhParticleNe).
const ZH_PARTICLE_NE = /呢[?？\s]*$/;
// "那 X 呢" opens with 那: "what about X?"
const ZH_TOPIC_QUESTION = /^那么?/;
// 吧 asks only when the ASR heard the rising tone as ？ ("你是新来的吧？"); "先这样吧" is a statement.
export const ZH_PARTICLE_BA = /吧\s*[?？]\s*$/;
// "什么是 X" and "X 是什么" ask for a definition: the commonest knowledge-base question.
export const ZH_WHAT_IS = /什么是|是什么/;
// A-not-A asks yes or no: 是不是, 能不能, 有没有, 可不可以, 需不需要; "定了没有" too. "没事没事" is no A-not-A.
export const ZH_A_NOT_A = /(?<![不没])([\u3400-\u9fff])[不没]\1|可不可以|需不需要|应不应该|了没有?[?？]?$/;
// Asking to be told ("介绍一下", "帮我查一下"), unless the speaker announces their own talk ("我先说一下", "他告诉我").
export const ZH_REQUEST =
  /^(?!(?:那|好|那么)?我们?(?:来|先|再|就|简单|给|跟|这边|现在|今天))(?:.*(?:介绍|解释|讲|说|说明|讲解|分析|总结)(?:一下|下(?![周个次午面去来班雨单载]))|.*(?:说说|讲讲|帮我查|查一下)|(?:.*(?:请|你|您|能|可以))?告诉我|解释)/;
// Asking politely or indirectly ("请问", "我想知道", "想了解", "能告诉我"); not someone else's wish ("他想了解").
export const ZH_INDIRECT = /我想知道|(?<!(?:他|她)们?)想了解|请问|我想问|能不能告诉我|可以告诉我|能告诉我/;
// A wh-word opening the utterance or a clause, not a free relative ("what I mean is…"); or anywhere when
// do-support inverts after it ("the refund how long does it take"), since an embedded question never inverts.
export const EN_WH_START = new RegExp(
  `${CLAUSE_START}(?:${EN_WH})(?:'s|'re)?\\b(?!\\s+(?:i|we|you|they|he|she)\\b)|` +
    `\\b(?:${EN_WH})(?:\\s+(?:much|many|long|often|far|soon|old|big))?\\s+(?:do|does|did)\\s+(?:${EN_SUBJECT})\\b`,
);
// An auxiliary before its subject opens a yes/no question ("can you reset my password"); not the
// imperatives "have a nice day", "have the report ready", "do it now", nor "did it yesterday".
export const EN_AUX_INVERSION = new RegExp(
  `${CLAUSE_START}(?!have (?:an?|the|my|your|our|this|that)\\b|do (?:it|this|that)\\b|did (?:it|this|that) (?:already|yesterday|again|before|earlier|today|last)\\b)(?:is|are|was|were|am|can|could|do|does|did|will|would|should|shall|may|might|have|has|had|` +
    `isn't|aren't|can't|couldn't|don't|doesn't|didn't|won't|wouldn't|shouldn't)\\s+(?:${EN_SUBJECT})\\b`,
);
// An auxiliary before a noun subject ("did finance approve my claim", "is Dify open source"); weaker, as
// subject-less statements look alike: "can do that", "should be fine", "are going home", "is what it is".
export const EN_AUX_START = new RegExp(
  `^${EN_LEAD}(?:is|are|does|did|can|will|should|has)\\s+(?!(?:${EN_SUBJECT}|${EN_WH}|not|be|been|do|go|get|send|try|check)\\b|[a-z]+ing\\b)[a-z][\\w-]*\\s+\\w`,
);
// Asking to be told ("tell me about…", "walk me through…"), possibly wrapped in "can you" / "please".
export const EN_REQUEST = new RegExp(
  `^${EN_LEAD}(?:please\\s+)?(?:(?:can|could|would) you\\s+)?(?:please\\s+)?` +
    '(?:tell me|explain|describe|walk me through|give me an overview|give me a summary|summari[sz]e|show me how)\\b',
);
// An indirect question that still asks ("I wonder if…", "do you know…", "any idea when…").
export const EN_INDIRECT =
  /\b(?:i wonder(?=\s+\w)|i was wondering|i'd like to know|i would like to know|i want to know|do you know|can you tell me|could you tell me|any idea)\b/;

/**
 * Chinese interrogative words, as the segmenter cuts them, by their start (多长时间, 怎样才能, 什么样,
 * 哪些, 几天), less the words that start alike without asking.
 */
const ZH_QUESTION_WORD = /^(?:什么|为什么|为何|怎|如何|哪|谁|多少|多久|多长|多大|何时|啥|咋|几)/;
const NOT_QUESTION_WORDS = new Set(['哪怕', '几乎', '几何', '几率', '几经', '几度', '几近', '怎么也', '怎么着', '谁知道']);

/** Words before 几 that make it "a few" ("这几天", "前几天", "没几个"), not "how many". */
const FEW_AFTER = new Set(['这', '那', '前', '最近', '没']);
/** "我们几个" is "the few of us". */
const WE_FEW = new Set(['我们', '你们', '他们']);

/** 都 / 也 right after a question word makes it an indefinite: 什么都行, 怎么也想不起来. */
const INDEFINITE_NEXT = /^[都也]/;

// A Chinese interrogative as a whole word: 几 in 几天, not in 几乎, 茶几 or 这几天; not an indefinite
// (什么都, 怎么样都, 谁也), the list-closing "什么的", 没什么 ("nothing"), 谁 calling someone ("那个谁"),
// or 多少有点 ("somewhat").
export function hasZhQuestionWord({ words }: Utterance): boolean {
  return words.some((word, i) => {
    if (!ZH_QUESTION_WORD.test(word) || NOT_QUESTION_WORDS.has(word)) return false;
    const [before, after = ''] = [words[i - 1], words[i + 1]];
    if (word !== '为什么' && INDEFINITE_NEXT.test(after)) return false;
    if (word.startsWith('几')) return !FEW_AFTER.has(before) && !(word === '几个' && WE_FEW.has(before));
    if (word === '什么') return after !== '的' && before !== '没';
    if (word === '谁') return after !== '知道' && before !== '那个';
    if (word === '多少') return after !== '有点';
    return true;
  });
}

// 呢 asks only after a question word ("退款什么时候到呢") or as a topic question ("那退款呢"); "我在吃饭呢" tells.
export function hasZhParticleNe(utterance: Utterance): boolean {
  return ZH_PARTICLE_NE.test(utterance.text) && (ZH_TOPIC_QUESTION.test(utterance.text) || hasZhQuestionWord(utterance));
}

// ---- Traps -----------------------------------------------------------------------------------------

// Interrogative words as indefinites ("什么都行", "谁都知道", "无论…", "whatever"), unless 吗 still asks.
export const TRAP_INDEFINITE =
  /^(?:无论|不管|不论)|(?:(?<!为)什么|谁|哪[里儿个些]?|怎么|怎样|多少)[^，,。？?]{0,12}?[都也](?![^]*吗[?？]?$)|\b(?:whatever|however|whoever|wherever|whichever|whenever|anyhow|somehow)\b/;
// Embedded or reported questions that ask nothing ("我不知道为什么", "他问我在哪里", "I know what you mean").
export const TRAP_EMBEDDED =
  /^(?:我|我们|他|她|他们)?(?:也|都|还)?(?:不知道|不清楚|不确定|不明白|忘了|忘记了|不记得|知道|记得|问我|问他|问她|问过)(?![^]*吗[?？]?$)|(?:他|她|他们)问(?:我|他|她|我们)|\b(?:i|we|he|she|they)\s+(?:don't|do not|didn't|did not|never)\s+(?:know|understand|remember)\b|\b(?:i|we)\s+(?:know|forgot|remember|understand)\s+(?:what|why|how|where|who|when)\b|\b(?:he|she|they)\s+asked\s+(?:me|him|her|us|them)\b|\bno idea\b/;
// Rhetorical questions that expect no answer ("谁知道呢", "有什么好说的", "怎么可以这样", "who cares").
export const TRAP_RHETORICAL = /^(?:谁知道|天知道)|谁让你|有什么好[\u4e00-\u9fff]{1,2}的$|怎么(?:可以|能)这样|^(?:who knows|who cares)\b/;
// Exclamations shaped like questions ("what a day", "how nice", "多好啊", "怎么这么贵啊").
export const TRAP_EXCLAMATION =
  /^(?:what an?\s|how about that\b|how (?:nice|great|cool|lovely|kind|wonderful|beautiful|sad|funny|interesting|amazing|awesome)\b)|多么|多(?:好|美|漂亮|棒|厉害)啊|(?:这么|那么)[^，,。]{1,4}[啊呀]$/;

// An English clause cut off at a determiner, conjunction, "kind of" or dangling "do I" ("what about the",
// "what kind of", "so how do we").
const EN_DANGLING = new RegExp(
  '\\b(?:the|a|an|my|your|our|their|his|her|its|and|or|but|because|if|(?:kind|sort|type|part|lot|bit) of)$|' +
    '\\b(?:do|does|did|can|could|should|would|will|shall|may|might|must)\\s+(?:i|we|you|they|he|she|it)$',
);
// A preposition ending the utterance dangles ("what about", "tell me about"), unless a wh-word a word or
// more before it strands it ("what's it for", "could you remind me what we agreed on").
const EN_STRANDED = new RegExp(`^(?!.*\\b(?:${EN_WH})(?:'s)?(?:\\s+[\\w'-]+)+\\s+(?:${EN_PREPOSITION})$).*\\b(?:${EN_PREPOSITION})$`);
// An opener, or a bare interrogative, with nothing after it yet ("请问", "我想知道", "can you tell me", "why").
const OPENER_ONLY = new RegExp(
  '^(?:(?:请问|我想问|我想知道|想了解|我想了解|能告诉我|介绍|讲|说|解释|帮我查)(?:一下|下)?(?:那个|这个|就是)?|你知道吗' +
    `|${EN_LEAD}(?:(?:can|could|would) you\\s+)?(?:please\\s+)?(?:tell me|explain|describe|i wonder|i'd like to know|do you know)` +
    `|${EN_LEAD}(?:${EN_WH})|为什么|为啥|什么|怎么|怎样|如何|谁|哪里|哪儿|哪个|多少|多久|几)$`,
);
const TRAILING_PUNCTUATION = /[\s\p{P}]+$/u;
const PUNCTUATION_ONLY = /^[\s\p{P}]*$/u;
/** Chinese words that cannot end a sentence: a function word, or 怎么 / 要 / 想 still waiting for their verb. */
const ZH_DANGLING_WORDS = new Set([
  '那个',
  '这个',
  '就是',
  '就是说',
  '然后',
  '还有',
  '因为',
  '所以',
  '但是',
  '如果',
  '或者',
  '还是',
  '和',
  '跟',
  '把',
  '被',
  '关于',
  '的话',
  '怎么',
  '要',
  '想',
]);

// A clause cut off mid-way is not a question yet, but what the speaker says next belongs to it.
export function isFragment({ text, words }: Utterance): boolean {
  const bare = text.replace(TRAILING_PUNCTUATION, '');
  const lastWord = words.findLast((word) => !PUNCTUATION_ONLY.test(word)) ?? '';
  return EN_DANGLING.test(bare) || EN_STRANDED.test(bare) || OPENER_ONLY.test(bare) || ZH_DANGLING_WORDS.has(lastWord);
}

// A topic opened and not yet asked about ("关于年假", "as for the refund"): no question unless something
// else asks, but what the speaker says next belongs to it. Neither raises nor lowers the score.
export const TOPIC_LEAD = /^(?:关于|至于|对于)[^，,。？?]{0,12}$|^(?:about|regarding|as for)\b[^,.?]{0,40}$/;
