/**
 * The turn-taking benchmark's corpus, written for this project: what speakers say to a workplace
 * assistant (HR, IT, finance, travel, benefits) in Chinese, English and both mixed, timed as a
 * streaming ASR emits it (asr-events.ts). Each turn is replayed on its own connection.
 */
import { seededRandom } from '../../src/local-dify';
import { AsrEvent, PARTIAL_GAP_MS, spread, utter } from './asr-events';

export type TurnClass = 'complete' | 'lead-in' | 'continuation' | 'small-talk' | 'backchannel';

export interface Turn {
  /** `complete-007`: the class and the sentence's index in it. */
  id: string;
  class: TurnClass;
  events: AsrEvent[];
  /** What Dify should be asked: the finals before any answer, joined as the service joins them. Small talk asks nothing. */
  question?: string;
}

/** A lead-in's rest starts 300–900 ms after it, a continuation 150–600 ms after the question (to its first partial). */
export const LEAD_IN_GAP_MS = { min: 300, max: 900 };
export const CONTINUATION_GAP_MS = { min: 150, max: 600 };
/** A backchannel's first partial, after the first answer text. */
export const BACKCHANNEL_GAP_MS = { min: 50, max: 300 };
/**
 * A lead-in's rest ends within this of the lead-in's final: the service reads two finals as one
 * sentence only within 1.5 s (SAME_SENTENCE_MS), and a speaker finishing a sentence is that quick.
 */
export const LEAD_IN_REST_DONE_MS = 1400;

/** Complete questions; every other one gets a final ？ or ?, as about half of ASR output has. */
const COMPLETE_ZH = [
  '年假一共有多少天',
  '报销一般多久能到账',
  '病假需要提供医院证明吗',
  '公司的上班时间是几点到几点',
  '试用期是几个月',
  '加班费是怎么计算的',
  '出差住宿的标准是多少',
  '社保是从哪个月开始交的',
  '公积金的缴纳比例是多少',
  '离职要提前多久提出申请',
  '婚假可以分开休吗',
  '产假一共有几天',
  '发票抬头应该写什么',
  '电脑坏了应该找谁修',
  '新员工入职第一天需要带什么',
  '工资每个月几号发',
  '团建费用可以报销吗',
  '会议室在哪里预订',
  '年终奖什么时候发放',
  '员工体检每年有几次',
  '能不能在家远程办公',
  '打印机连不上怎么办',
  '忘记打卡了怎么补签',
  '餐补是每天多少钱',
  '差旅费报销的截止日期是什么时候',
  '请假审批需要经过哪些人',
  '调岗需要走什么流程',
  '公司有没有班车',
  '停车位怎么申请',
  '培训费用公司承担多少',
  '内推成功有奖励吗',
  '邮箱容量不够了怎么扩容',
  '门禁卡丢了去哪里补办',
  '五险一金包括哪些',
  '绩效考核是一年几次',
  '实习生可以报销交通费吗',
  '年假没休完可以折算成工资吗',
  '居住证明在哪里开',
  '外地出差的补贴标准是什么',
  '为什么这个月工资少了',
];
const COMPLETE_EN = [
  'how many vacation days do I get per year',
  'how do I reset my VPN password',
  'when does the refund usually arrive',
  'can I carry over unused leave to next year',
  'what is the shipping time for international orders',
  'who do I contact about a payroll error',
  'is there a deadline for submitting expense reports',
  'where can I find the travel policy',
  'how long does it take to approve a purchase order',
  'do we get paid for working on public holidays',
  'what documents do I need for a reimbursement',
  'how do I book a meeting room',
  'can contractors use the company gym',
  'what is the daily meal allowance on business trips',
  'how do I enroll in the dental plan',
  'when is the open enrollment period for benefits',
  'does the company match pension contributions',
  'how do I request a new laptop',
  'what happens to my stock options if I leave',
  'is parental leave paid in full',
  'how can I change my bank details for payroll',
  'why was my expense claim rejected',
  'which airlines are we allowed to book',
  "how many sick days can I take without a doctor's note",
  'can I work remotely from another country',
  'what is the process for reporting a phishing email',
  'how do I get access to the shared drive',
  'are taxis covered when I work late',
  'what time does the office close on Fridays',
  'how much notice do I have to give before resigning',
  'where do I pick up my new badge',
  'can I expense a home office chair',
  'how do I set up two factor authentication',
  'what is RAG',
  'what are the advantages of retrieval augmented generation',
  'does the health insurance cover my family',
  'how long is the probation period',
  'who approves overtime',
  'is there a limit on hotel costs in London',
  'how do I file a travel insurance claim',
];
const COMPLETE_MIXED = [
  'VPN 密码忘了怎么办',
  '怎么申请 MacBook',
  'Outlook 日历怎么共享给同事',
  '报销可以用 PDF 发票吗',
  '什么是 RAG',
  'Dify 的 Chat API 怎么调用',
  'HR 系统在哪里登录',
  '我的 offer 里写的 bonus 什么时候发',
  'Zoom 会议录像保存在哪里',
  '公司的 Wi-Fi 密码是多少',
  '出差可以坐 business class 吗',
  'OKR 是每个季度定一次吗',
  '怎么在 Workday 上请假',
  'Slack 的通知怎么关掉',
  '401k 的匹配比例是多少',
  '新人的 onboarding 要多久',
  'Jira 权限找谁开',
  '打车用 Uber 可以报销吗',
  'GitLab 账号被锁了怎么解锁',
  '年假可以和 public holiday 连休吗',
  'expense report 要在几天内提交',
  'laptop 坏了找 IT 还是找行政',
  '住酒店的 budget 是多少',
  'RAG 有什么优点',
  '这个 project 的 deadline 是什么时候',
  'Dify 是什么',
  'SSO 登录失败怎么处理',
  '团建的 budget 有多少',
  '能不能用个人 iPhone 收公司邮件',
  'Teams 会议怎么预约',
];

/** A lead-in or bare opener, the rest of the sentence, and the whole question as the service joins them. */
const LEAD_INS: Array<[string, string, string]> = [
  ['关于年假', '有几天', '关于年假有几天'],
  ['请问一下', '报销要多久才能到账', '请问一下报销要多久才能到账'],
  ['关于报销', '需要哪些发票', '关于报销需要哪些发票'],
  ['我想问一下', '试用期可以请年假吗', '我想问一下试用期可以请年假吗'],
  ['至于出差补贴', '是按天算的吗', '至于出差补贴是按天算的吗'],
  ['那个就是', '婚假一共几天', '那个就是婚假一共几天'],
  ['对于新员工', '第一个月工资怎么算', '对于新员工第一个月工资怎么算'],
  ['我想知道', '公积金能不能提取', '我想知道公积金能不能提取'],
  ['请问', '门禁卡在哪里办', '请问门禁卡在哪里办'],
  ['关于加班', '有没有调休', '关于加班有没有调休'],
  ['报销的流程是先填单还有', '需要谁审批', '报销的流程是先填单还有需要谁审批'],
  ['我们部门的团建费用还有', '差旅费是一起报的吗', '我们部门的团建费用还有差旅费是一起报的吗'],
  ['关于体检', '可以带家属吗', '关于体检可以带家属吗'],
  ['请问一下', '餐补是发到工资里吗', '请问一下餐补是发到工资里吗'],
  ['就是那个', '停车位还有空的吗', '就是那个停车位还有空的吗'],
  ['我想了解', '病假工资怎么发', '我想了解病假工资怎么发'],
  ['关于离职', '需要提前几天说', '关于离职需要提前几天说'],
  ['如果', '年假没休完会怎么样', '如果年假没休完会怎么样'],
  ['关于内推奖金', '什么时候发', '关于内推奖金什么时候发'],
  ['然后', '社保断缴了会有影响吗', '然后社保断缴了会有影响吗'],
  ['so about the', 'vacation policy how long do we have to use it', 'so about the vacation policy how long do we have to use it'],
  ['what about the', 'meal allowance on international trips', 'what about the meal allowance on international trips'],
  ['regarding my expense claim', 'when does it get paid', 'regarding my expense claim when does it get paid'],
  ['can you tell me', 'how to reset my VPN password', 'can you tell me how to reset my VPN password'],
  ["I'd like to know", 'whether contractors get paid holidays', "I'd like to know whether contractors get paid holidays"],
  ['as for the new laptop', 'who do I ask', 'as for the new laptop who do I ask'],
  ['quick question about the', 'dental plan what does it cover', 'quick question about the dental plan what does it cover'],
  ['and', 'how long does the refund take', 'and how long does the refund take'],
  ['so how', 'do I book a business trip', 'so how do I book a business trip'],
  ['tell me about', 'the refund policy', 'tell me about the refund policy'],
  ['do you know', 'when payday is this month', 'do you know when payday is this month'],
  ['what kind of', 'insurance do we get as a benefit', 'what kind of insurance do we get as a benefit'],
  ['and what about', 'sick leave for part-time staff', 'and what about sick leave for part-time staff'],
  ['hi I wanted to ask about the', 'parking permits where do I apply', 'hi I wanted to ask about the parking permits where do I apply'],
  ['so regarding the', 'training budget how much do we get each', 'so regarding the training budget how much do we get each'],
  ['关于 VPN', '连不上怎么办', '关于 VPN 连不上怎么办'],
  ['请问一下', 'Outlook 怎么设置自动回复', '请问一下 Outlook 怎么设置自动回复'],
  ['关于 onboarding', '第一周要做什么', '关于 onboarding 第一周要做什么'],
  ['我想问一下', 'Workday 上的假期余额怎么看', '我想问一下 Workday 上的假期余额怎么看'],
  ['关于 RAG', '它的工作流程是什么样的', '关于 RAG 它的工作流程是什么样的'],
];

/** A complete-looking question, what the speaker adds after a pause, and the whole question. */
const CONTINUATIONS: Array<[string, string, string]> = [
  ['年假有几天', '对于入职不满一年的员工', '年假有几天对于入职不满一年的员工'],
  ['how many vacation days do we get', 'for part-time staff', 'how many vacation days do we get for part-time staff'],
  ['报销多久能到账', '如果是跨月提交的话', '报销多久能到账如果是跨月提交的话'],
  ['can I work from home', 'on Fridays during the summer', 'can I work from home on Fridays during the summer'],
  ['餐补是多少？', '在上海办公室', '餐补是多少？在上海办公室'],
  ['what is the hotel limit', 'for trips to New York', 'what is the hotel limit for trips to New York'],
  ['试用期多长', '对于校招的应届生', '试用期多长对于校招的应届生'],
  ['who approves my expense claims', 'while my manager is on leave', 'who approves my expense claims while my manager is on leave'],
  ['病假怎么请', '需要连续请三天以上的那种', '病假怎么请需要连续请三天以上的那种'],
  ['how do I get a parking permit', 'for an electric car', 'how do I get a parking permit for an electric car'],
  ['加班有调休吗', '周末加班的情况', '加班有调休吗周末加班的情况'],
  ['is the dental plan free', 'for dependents as well', 'is the dental plan free for dependents as well'],
  ['出差补贴怎么算', '去海外出差的时候', '出差补贴怎么算去海外出差的时候'],
  ['how long is the notice period', 'for managers', 'how long is the notice period for managers'],
  ['公积金比例是多少', '北京的员工', '公积金比例是多少北京的员工'],
  ['can I expense a taxi', 'after ten pm', 'can I expense a taxi after ten pm'],
  ['VPN 怎么连接', '在家里用自己的电脑的时候', 'VPN 怎么连接在家里用自己的电脑的时候'],
  ['when do bonuses get paid', 'for people who joined this year', 'when do bonuses get paid for people who joined this year'],
  ['婚假有多少天？', '按工作日算的话', '婚假有多少天？按工作日算的话'],
  ['what is the refund window?', 'for orders shipped abroad', 'what is the refund window? for orders shipped abroad'],
  ['报销需要什么发票', '打车和住酒店的', '报销需要什么发票打车和住酒店的'],
  ['how do I reset my password', 'for the HR portal', 'how do I reset my password for the HR portal'],
];

/** Said to the assistant, or near it, asking nothing: never sent to Dify. Some look like questions. */
const SMALL_TALK = [
  '今天天气真不错',
  '我刚开完会',
  '好久不见啊',
  '我先去倒杯水',
  '刚才网络有点卡',
  '我不知道为什么他今天没来',
  '谁知道呢',
  '什么都行',
  '这周真是太忙了',
  '我们下午再聊',
  '我这边听得很清楚',
  '先这样吧',
  '我在地铁上信号不太好',
  'let me share my screen',
  "I'm just grabbing a coffee",
  'what a week it has been',
  'whatever works for you',
  'sorry I was on mute',
  "I'll send you the slides after the call",
  'he asked me where the meeting room was',
  "I don't know why the printer keeps jamming",
  'good morning everyone',
  '我刚刚在看 email',
  '稍等我找一下那个 file',
  '我等下要去 gym',
];

/** A question the knowledge base answers at length, and what the listener says while it streams. */
const BACKCHANNELS: Array<[string, string]> = [
  ['年假有几天', '嗯'],
  ['报销流程是怎样的', '对'],
  ['VPN 密码怎么重置', '嗯嗯'],
  ['how long does shipping take', 'ok'],
  ['what is the refund policy', 'uh-huh'],
  ['什么是 RAG？', '嗯'],
  ['what is RAG?', 'right'],
  ['RAG 有什么优点', '对对'],
  ['what are the advantages of RAG', 'mm'],
  ['Dify 是什么', '好的'],
  ['what is Dify', 'yeah'],
  ['how do I reset my VPN password?', 'uh-huh'],
  ['退款政策是什么', '嗯'],
  ['realtime-rag 是做什么用的', '对'],
  ['what does realtime-rag do', 'okay'],
  ['如何接入 realtime-rag', '明白'],
  ['how does retrieval work', 'I see'],
  ['RAG 的工作流程是什么？', '嗯'],
  ['how do I connect to realtime-rag', 'got it'],
  ['Dify 的 Chat API 怎么用', '好'],
];

const ends = (events: AsrEvent[]) => events.at(-1)!.at;
const withMark = (text: string, i: number) => (i % 2 === 0 ? text : `${text}${/[\u3400-\u9fff]/.test(text) ? '？' : '?'}`);

function build(): Turn[] {
  const random = seededRandom(13);
  const turn = (cls: TurnClass, i: number, events: AsrEvent[], question?: string): Turn => ({
    id: `${cls}-${String(i).padStart(3, '0')}`,
    class: cls,
    events,
    question,
  });
  const complete = [...COMPLETE_ZH, ...COMPLETE_EN, ...COMPLETE_MIXED].map((text, i) => {
    const said = withMark(text, i);
    return turn('complete', i, utter(said, 0, random), said);
  });
  const leadIns = LEAD_INS.map(([lead, rest, whole], i) => {
    const first = utter(lead, 0, random);
    const gap = spread(i, LEAD_INS.length, LEAD_IN_GAP_MS.min, LEAD_IN_GAP_MS.max);
    const partials = Math.floor((LEAD_IN_REST_DONE_MS - gap) / PARTIAL_GAP_MS.max);
    return turn('lead-in', i, [...first, ...utter(rest, ends(first) + gap, random, partials)], whole);
  });
  const continuations = CONTINUATIONS.map(([question, more, whole], i) => {
    const first = utter(question, 0, random);
    const gap = spread(i, CONTINUATIONS.length, CONTINUATION_GAP_MS.min, CONTINUATION_GAP_MS.max);
    return turn('continuation', i, [...first, ...utter(more, ends(first) + gap, random)], whole);
  });
  const smallTalk = SMALL_TALK.map((text, i) => turn('small-talk', i, utter(text, 0, random)));
  const backchannels = BACKCHANNELS.map(([question, backchannel], i) => {
    const gap = spread(i, BACKCHANNELS.length, BACKCHANNEL_GAP_MS.min, BACKCHANNEL_GAP_MS.max);
    return turn('backchannel', i, [...utter(question, 0, random), ...utter(backchannel, gap, random, 1, true)], question);
  });
  return [...complete, ...leadIns, ...continuations, ...smallTalk, ...backchannels];
}

export const TURNS: readonly Turn[] = build();
