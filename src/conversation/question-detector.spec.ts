import { DEFAULT_QUESTION_THRESHOLD } from '../config';
import { QuestionDetector } from './question-detector';

const detector = new QuestionDetector({ threshold: DEFAULT_QUESTION_THRESHOLD, maxChars: 500 });

const CJK = /[\u3400-\u9fff]/;
/** The utterance as ASR may punctuate it: ？ after Chinese, ? after English. */
const punctuated = (text: string) => `${text}${CJK.test(text) ? '？' : '?'}`;

/** [the cue that must fire, an utterance that asks, written without punctuation]. */
const QUESTIONS: Array<[string, string]> = [
  // Chinese interrogative words
  ['zh-wh', '为什么我的报销被退回了'],
  ['zh-wh', 'VPN 密码怎么重置'],
  ['zh-wh', '年假怎样申请'],
  ['zh-wh', '如何申请年假'],
  ['zh-wh', '会议室在哪'],
  ['zh-wh', '打印机在哪里'],
  ['zh-wh', '哪个部门负责 IT 支持'],
  ['zh-wh', '报销找谁审批'],
  ['zh-wh', '这个套餐多少钱'],
  ['zh-wh', '年假有几天'],
  ['zh-wh', '需要几个人签字'],
  ['zh-wh', '退款要多久'],
  ['zh-wh', '试用期多长时间'],
  ['zh-wh', '茶几在哪里'],
  ['zh-wh', '你们几点下班'],
  // 什么是 X, X 是什么
  ['zh-what-is', '什么是 RAG'],
  ['zh-what-is', 'RAG 是什么'],
  ['zh-what-is', '上次会议的结论是什么'],
  // A-not-A
  ['zh-a-not-a', '这个 API 是不是要 key'],
  ['zh-a-not-a', '能不能延期交付'],
  ['zh-a-not-a', '可不可以分期付款'],
  ['zh-a-not-a', '有没有优惠'],
  ['zh-a-not-a', '会不会影响年假'],
  ['zh-a-not-a', '我理解的对不对'],
  ['zh-a-not-a', '要不要提前预约'],
  ['zh-a-not-a', '周五开会好不好'],
  ['zh-a-not-a', '需不需要经理签字'],
  ['zh-a-not-a', '合同签了没有'],
  // sentence-final particles
  ['zh-particle-ma', '你们周末上班吗'],
  ['zh-particle-ma', '这个 embedding model 支持中文吗'],
  ['zh-particle-ma', '什么都可以报销吗'],
  ['zh-particle-ne', '那退款呢'],
  ['zh-particle-ne', '那 API key 呢'],
  ['zh-particle-ne', '退款什么时候到呢'],
  // indirect questions
  ['indirect-question', '我想知道报销流程'],
  ['indirect-question', '请问会议室在几楼'],
  ['indirect-question', '想了解一下你们的套餐'],
  ['indirect-question', '能告诉我你们的地址'],
  ['indirect-question', 'I wonder how long shipping takes'],
  ['indirect-question', "I'd like to know the refund deadline"],
  ['indirect-question', 'do you know where the office is'],
  ['indirect-question', 'can you tell me the wifi password'],
  ['indirect-question', 'any idea when the outage will be fixed'],
  // requests for information
  ['zh-request', '介绍一下你们的退款政策'],
  ['zh-request', '讲一下 Dify 的工作流'],
  ['zh-request', '说一下报销流程'],
  ['zh-request', '解释一下向量检索'],
  ['zh-request', '解释向量检索'],
  ['zh-request', '说说你们的产品'],
  ['zh-request', '帮我查一下订单状态'],
  ['zh-request', '介绍下你们公司'],
  ['zh-request', '告诉我年假有几天'],
  ['en-request', 'tell me about the leave policy'],
  ['en-request', 'explain vector search'],
  ['en-request', 'describe the onboarding process'],
  ['en-request', 'walk me through the setup'],
  ['en-request', 'give me an overview of the pricing'],
  ['en-request', 'could you please explain the refund rules'],
  // English wh-questions
  ['en-wh-start', 'What is RAG'],
  ['en-wh-start', 'who approves expenses'],
  ['en-wh-start', 'where is the office'],
  ['en-wh-start', 'when does the office open'],
  ['en-wh-start', 'why was my claim rejected'],
  ['en-wh-start', 'which plan is cheapest'],
  ['en-wh-start', 'how do I reset my VPN password'],
  ['en-wh-start', 'whose laptop is this'],
  ['en-wh-start', "what's the wifi password"],
  ['en-wh-start', 'so what about the refund'],
  ['en-wh-start', 'what does RAG stand for'],
  ['en-wh-start', 'the refund, how long does it take'],
  ['en-wh-start', 'the refund how long does it take'],
  // English auxiliary inversion
  ['en-aux-inversion', 'is there a fee for early cancellation'],
  ['en-aux-inversion', 'are you open on Sunday'],
  ['en-aux-inversion', 'can you reset my password'],
  ['en-aux-inversion', 'could you send me the slides'],
  ['en-aux-inversion', 'do we have a refund policy'],
  ['en-aux-inversion', 'does the plan include support'],
  ['en-aux-inversion', 'did it work'],
  ['en-aux-inversion', 'will the meeting be recorded'],
  ['en-aux-inversion', 'would you mind checking my order'],
  ['en-aux-inversion', 'should I file a ticket'],
  ['en-aux-inversion', 'may I ask about the dress code'],
  ['en-aux-inversion', 'have you received my email'],
  ['en-aux-inversion', 'has the package shipped'],
  ['en-aux-start', 'did finance approve my claim'],
  ['en-aux-start', 'is Dify open source'],
  // code-switching
  ['zh-wh', 'Dify 的 workflow 怎么 deploy'],
  ['zh-wh', 'RAG 和 fine-tuning 有什么区别'],
  ['en-wh-start', "what's 年假 policy"],
  ['zh-request', '介绍一下 RAG'],
  ['zh-particle-ma', 'workflow 可以 rollback 吗'],
];

/** [the reason that must be given, an utterance that asks nothing]; '' for a plain statement. */
const NOT_QUESTIONS: Array<[string, string]> = [
  // backchannels and fillers
  ...[
    '嗯',
    '对',
    '好的',
    '是的',
    '行',
    '对对对',
    '谢谢',
    'ok',
    'okay',
    'yeah',
    'uh huh',
    'right',
    'sure',
    'got it',
    'thanks',
    '好吧？',
    'right?',
  ].map((text): [string, string] => ['backchannel', text]),
  ['too-short', '?'],
  ['too-short', '吗'],
  ['too-short', 'a'],
  // statements
  ['', '今天天气不错'],
  ['', '我们下周开会'],
  ['', 'we shipped it yesterday'],
  ['', '我在吃饭呢'],
  ['', '先这样吧'],
  ['', '你是新来的吧'],
  ['', '他说下周开会'],
  ['', '他告诉我明天开会'],
  ['', '我先说一下今天的安排'],
  ['', '我给你介绍一下我们的产品'],
  ['', 'let me explain'],
  ['', 'have a nice day'],
  ['', 'have the report ready by Friday'],
  ['', 'do it now'],
  ['', 'should be fine'],
  ['', 'are going to the office tomorrow'],
  ['', 'what I mean is we should wait'],
  ['', 'this is how it works'],
  ['', '我们几个人一起去吧'],
  ['', '这几天我都在加班'],
  // interrogative words as indefinites
  ['trap-indefinite', '什么都行'],
  ['trap-indefinite', '什么都可以'],
  ['trap-indefinite', '谁都知道'],
  ['trap-indefinite', '哪里都可以'],
  ['trap-indefinite', '怎么都不行'],
  ['trap-indefinite', '怎么样都行'],
  ['trap-indefinite', '多少都行'],
  ['trap-indefinite', '我怎么也想不起来'],
  ['trap-indefinite', '什么时候都可以'],
  ['trap-indefinite', 'whatever'],
  ['trap-indefinite', 'however we decided to wait'],
  ['trap-indefinite', 'whoever comes first'],
  ['trap-indefinite', 'wherever you like'],
  ['trap-indefinite', 'anyhow it works now'],
  ['trap-indefinite', 'whatever 你决定吧'],
  // embedded and reported questions
  ['trap-embedded', '我不知道为什么'],
  ['trap-embedded', '我不知道为什么？'],
  ['trap-embedded', '他问我在哪里'],
  ['trap-embedded', '我忘了怎么做'],
  ['trap-embedded', '不知道为什么他没来'],
  ['trap-embedded', "I don't know why"],
  ['trap-embedded', "I don't know why?"],
  ['trap-embedded', 'he asked me where I was'],
  ['trap-embedded', 'I know what you mean'],
  ['trap-embedded', 'I forgot how to log in'],
  // rhetorical questions
  ['trap-rhetorical', '谁知道呢'],
  ['trap-rhetorical', '谁知道他去哪了'],
  ['trap-rhetorical', '这有什么好说的'],
  ['trap-rhetorical', 'who knows'],
  // exclamations
  ['trap-exclamation', 'what a day'],
  ['trap-exclamation', 'what a day?'],
  ['trap-exclamation', 'how nice'],
  ['trap-exclamation', 'how about that'],
  ['trap-exclamation', '多好啊'],
  ['trap-exclamation', '多么漂亮'],
  ['trap-exclamation', '怎么这么贵啊'],
  // fragments: a question not asked yet
  ['trap-fragment', 'what about the'],
  ['trap-fragment', 'what about'],
  ['trap-fragment', 'what kind of'],
  ['trap-fragment', 'so the'],
  ['trap-fragment', 'so how do we'],
  ['trap-fragment', 'tell me about'],
  ['trap-fragment', 'can you tell me'],
  ['trap-fragment', 'is there a fee for'],
  ['trap-fragment', 'why'],
  ['trap-fragment', '那个怎么'],
  ['trap-fragment', '我想问一下那个'],
  ['trap-fragment', '请问'],
  ['trap-fragment', '介绍一下'],
  ['trap-fragment', '为什么要'],
  ['trap-fragment', '你要茶还是'],
  ['trap-fragment', '关于年假的话'],
];

/** [an utterance holding a question word inside another word or idiom, the cue that must stay quiet]. */
const SUBSTRINGS: Array<[string, string]> = [
  ['show me the money', 'en-wh-start'],
  ['the show was great', 'en-wh-start'],
  ['somehow it works', 'en-wh-start'],
  ['however we decided to wait', 'en-wh-start'],
  ['几乎所有人都来了', 'zh-wh'],
  ['他几乎每天都来', 'zh-wh'],
  ['什么都行', 'zh-wh'],
  ['怎么样都行', 'zh-wh'],
  ['几何很难', 'zh-wh'],
  ['苹果香蕉什么的', 'zh-wh'],
  ['我怎么也想不起来', 'zh-wh'],
  ['哪怕晚一点也没关系', 'zh-wh'],
  ['谁知道呢', 'zh-wh'],
  ['多少有点贵', 'zh-wh'],
  ['这个 API 没什么问题', 'zh-wh'],
  ['那个谁，你过来一下', 'zh-wh'],
  ['几乎都到了呢', 'zh-particle-ne'],
  ['他说下周开会', 'zh-request'],
  ['他想了解一下情况', 'indirect-question'],
];

describe('QuestionDetector', () => {
  describe('answers a question, with or without its question mark', () => {
    it.each(
      QUESTIONS.flatMap(([cue, text]) => [
        [cue, text],
        [cue, punctuated(text)],
      ]),
    )('%s: %s', (cue, text) => {
      const verdict = detector.detect(text);
      expect(verdict.isQuestion).toBe(true);
      expect(verdict.reasons).toContain(cue);
      expect(verdict.reasons.includes('question-mark')).toBe(/[?？]$/.test(text));
    });
  });

  describe('does not answer', () => {
    it.each(NOT_QUESTIONS)('%s: %s', (reason, text) => {
      const verdict = detector.detect(text);
      expect(verdict.isQuestion).toBe(false);
      expect(verdict.score).toBeLessThan(DEFAULT_QUESTION_THRESHOLD);
      if (reason) expect(verdict.reasons).toContain(reason);
      else expect(verdict.reasons).toEqual([]);
    });
  });

  describe('reads whole words, not substrings', () => {
    it.each(SUBSTRINGS)('%s: no %s', (text, cue) => {
      const verdict = detector.detect(text);
      expect(verdict.isQuestion).toBe(false);
      expect(verdict.reasons).not.toContain(cue);
    });
  });

  it('takes 吧 as a question only with a question mark', () => {
    expect(detector.detect('你是新来的吧？')).toMatchObject({ isQuestion: true, reasons: ['question-mark', 'zh-particle-ba'] });
    expect(detector.detect('你是新来的吧')).toMatchObject({ isQuestion: false, reasons: [] });
  });

  it('lets a trap outweigh a question mark', () => {
    expect(detector.detect('我不知道为什么？')).toMatchObject({ isQuestion: false, reasons: ['question-mark', 'zh-wh', 'trap-embedded'] });
    expect(detector.detect('what a day?')).toMatchObject({
      isQuestion: false,
      reasons: ['question-mark', 'en-wh-start', 'trap-exclamation'],
    });
  });

  it('says which cues and traps fired, in table order', () => {
    expect(detector.detect('什么是 RAG？').reasons).toEqual(['question-mark', 'zh-wh', 'zh-what-is']);
    expect(detector.detect('can you reset my password').reasons).toEqual(['en-aux-inversion']);
    expect(detector.detect('请问 Dify 支持私有化部署吗').reasons).toEqual(['zh-particle-ma', 'indirect-question']);
    expect(detector.detect('can you tell me the wifi password').reasons).toEqual(['en-aux-inversion', 'en-request', 'indirect-question']);
    expect(detector.detect('什么都行').reasons).toEqual(['trap-indefinite']);
    expect(detector.detect('好的').reasons).toEqual(['backchannel']);
  });

  it('scores from 0 to 1, more cues scoring higher', () => {
    const strong = detector.detect('你们周末上班吗？').score;
    const weaker = detector.detect('你们周末上班吗').score;
    expect(weaker).toBe(0.75);
    expect(strong).toBe(0.9);
    expect(detector.detect('今天天气不错').score).toBe(0);
    for (const [, text] of [...QUESTIONS, ...NOT_QUESTIONS]) {
      const { score } = detector.detect(text);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
  });

  it('marks an utterance that stops mid-sentence, or only opens a topic, as unfinished', () => {
    expect(detector.detect('关于年假')).toMatchObject({ isQuestion: false, unfinished: true, reasons: ['topic-lead'] });
    expect(detector.detect('what about the')).toMatchObject({ isQuestion: false, unfinished: true });
    expect(detector.detect('为什么？')).toMatchObject({
      isQuestion: false,
      unfinished: true,
      reasons: ['question-mark', 'zh-wh', 'trap-fragment'],
    });
    expect(detector.detect('关于年假有几天')).toMatchObject({ isQuestion: true, unfinished: false });
    expect(detector.detect('我们下周开会')).toMatchObject({ unfinished: false });
  });

  it('decides with the threshold it was given, and a lead-in below it stays unfinished', () => {
    const strict = new QuestionDetector({ threshold: 0.7, maxChars: 500 });
    const { score } = detector.detect('关于年假怎么算');
    expect(score).toBeGreaterThanOrEqual(DEFAULT_QUESTION_THRESHOLD);
    expect(score).toBeLessThan(0.7);
    expect(detector.detect('关于年假怎么算')).toMatchObject({ isQuestion: true, unfinished: false });
    expect(strict.detect('关于年假怎么算')).toMatchObject({ isQuestion: false, unfinished: true, score });
  });

  it('scores only the last maxChars characters, where the question is', () => {
    const narrow = new QuestionDetector({ threshold: DEFAULT_QUESTION_THRESHOLD, maxChars: 10 });
    expect(narrow.detect(`what is the plan ${'x'.repeat(20)}`).isQuestion).toBe(false);
    expect(narrow.detect(`${'今天天气不错'.repeat(5)}年假有几天？`)).toEqual(detector.detect('天气不错年假有几天？'));
  });

  it('is deterministic', () => {
    const texts = [...QUESTIONS, ...NOT_QUESTIONS].map(([, text]) => text);
    const first = texts.map((text) => detector.detect(text));
    expect(texts.map((text) => new QuestionDetector({ threshold: DEFAULT_QUESTION_THRESHOLD, maxChars: 500 }).detect(text))).toEqual(first);
    expect(texts.map((text) => detector.detect(text))).toEqual(first);
  });

  it('ignores surrounding spaces and letter case', () => {
    expect(detector.detect('  WHAT IS RAG  ')).toEqual(detector.detect('what is rag'));
  });
});
