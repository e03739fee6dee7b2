import { QuestionDetector } from './question-detector';

const detector = new QuestionDetector();

/** Every positive also appears without its punctuation, as ASR produces it. */
const withAndWithoutPunctuation = (cases: string[]) => cases.flatMap((text) => [text, text.replace(/[?？]\s*$/, '')]);

describe('QuestionDetector', () => {
  describe('answers', () => {
    it.each(
      withAndWithoutPunctuation([
        // Chinese interrogatives and "what is"
        '什么是 RAG？',
        'RAG 是什么？',
        '为什么我的报销被退回了？',
        'VPN 密码怎么重置？',
        '年假有几天？',
        '退款要多久？',
        '报销找谁审批？',
        '哪个部门负责 IT 支持？',
        '这个套餐多少钱？',
        // A-not-A
        '这个 API 是不是要 key？',
        '能不能延期交付？',
        '有没有优惠？',
        '可不可以分期付款？',
        '会不会影响年假？',
        // particles
        '你们周末上班吗？',
        '那退款呢？',
        // indirect questions and requests
        '我想知道报销流程',
        '请问 VPN 密码怎么重置？',
        '介绍一下你们的退款政策',
        '解释一下向量检索',
        '帮我查一下订单状态',
        '说说 Dify 的工作流',
        // English
        'What is RAG?',
        'how do I reset my VPN password?',
        'why was my expense claim rejected?',
        'can you reset my password?',
        'do we have a refund policy?',
        'is there a fee for early cancellation?',
        'so what about the refund?',
        'tell me about the leave policy',
        'explain vector search',
        'walk me through the setup',
        'I wonder how long shipping takes',
        "I'd like to know the refund deadline",
        'could you tell me where the office is?',
        // code-switching
        'Dify 的 workflow 怎么 deploy？',
        "what's 年假 policy?",
        '这个 embedding model 支持中文吗？',
      ]),
    )('%s', (text) => {
      expect(detector.detect(text)).toMatchObject({ isQuestion: true });
    });
  });

  describe('does not answer', () => {
    it.each([
      // backchannels and fillers
      '嗯',
      '好的',
      '对对对',
      'ok',
      'uh huh',
      'got it',
      // statements
      '今天天气不错',
      'we shipped it yesterday',
      '我们下周开会',
      // interrogative words as indefinites
      '什么都行',
      '谁都知道',
      '怎么都不行',
      '哪里都可以',
      'whatever',
      // embedded and reported questions
      '我不知道为什么',
      '我不知道为什么？',
      '他问我在哪里',
      "I don't know why",
      'he asked me where I was',
      'I know what you mean',
      // exclamations
      'what a day',
      'how nice',
      '多好啊',
      // substrings that hold a question word
      'show me the money',
      'somehow it works',
      'however we decided to wait',
      '几乎所有人都来了',
      '苹果香蕉什么的',
      // fragments
      'what about the',
      '我想问一下那个',
      // too short
      '啊',
      '?',
    ])('%s', (text) => {
      expect(detector.detect(text)).toMatchObject({ isQuestion: false });
    });
  });

  it('says which cues and traps fired', () => {
    expect(detector.detect('什么是 RAG？').reasons).toEqual(['question-mark', 'zh-wh', 'zh-what-is']);
    expect(detector.detect('can you reset my password').reasons).toEqual(['en-aux-inversion', 'en-aux-start']);
    expect(detector.detect('have a nice day').isQuestion).toBe(false);
    expect(detector.detect('我不知道为什么').reasons).toEqual(['zh-wh', 'trap-embedded']);
    expect(detector.detect('什么都行').reasons).toEqual(['zh-wh', 'trap-indefinite']);
    expect(detector.detect('好的').reasons).toEqual(['backchannel']);
  });

  it('scores from 0 to 1, more cues scoring higher', () => {
    const strong = detector.detect('你们周末上班吗？').score;
    const weaker = detector.detect('你们周末上班吗').score;
    expect(strong).toBeGreaterThan(weaker);
    expect(strong).toBeLessThanOrEqual(1);
    expect(detector.detect('今天天气不错').score).toBe(0);
  });

  it('is deterministic', () => {
    const texts = ['什么是 RAG', 'ok', 'Dify 的 workflow 怎么 deploy'];
    expect(texts.map((t) => detector.detect(t))).toEqual(texts.map((t) => detector.detect(t)));
  });
});

describe('QuestionDetector with Chinese word segmentation', () => {
  const detector = new QuestionDetector();
  it.each([
    ['茶几在哪里', true],
    ['几何题怎么做', true],
    ['试用期多长时间', true],
    ['怎样才能提高准确率', true],
    ['他几乎每天都来', false],
    ['哪怕晚一点也没关系', false],
    ['那个谁，你过来一下', false],
    ['这个 API 没什么问题', false],
  ])('reads whole words: %s → %s', (text, isQuestion) => {
    expect(detector.detect(text).isQuestion).toBe(isQuestion);
  });
});
