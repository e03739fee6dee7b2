import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import { TurnConfig } from '../config';
import { keepEnd } from './utterance-text';
import {
  EN_AUX_INVERSION,
  EN_AUX_START,
  EN_INDIRECT,
  EN_REQUEST,
  EN_WH_START,
  hasZhParticleNe,
  hasZhQuestionWord,
  isFragment,
  QUESTION_MARK,
  TOPIC_LEAD,
  TRAP_EMBEDDED,
  TRAP_EXCLAMATION,
  TRAP_INDEFINITE,
  TRAP_RHETORICAL,
  Utterance,
  ZH_A_NOT_A,
  ZH_INDIRECT,
  ZH_PARTICLE_BA,
  ZH_PARTICLE_MA,
  ZH_REQUEST,
  ZH_WHAT_IS,
} from './question-patterns';

export interface QuestionVerdict {
  isQuestion: boolean;
  /** The utterance stops mid-sentence ("关于年假", "what about the"): what follows belongs to it. */
  unfinished: boolean;
  /** 0..1: how sure the detector is that the utterance asks for information. */
  score: number;
  /** The cues and traps that fired, in table order, e.g. `zh-particle-ma`, `trap-embedded`. */
  reasons: string[];
}

export interface DetectorOptions {
  /** An utterance scoring at least this much is a question (QUESTION_THRESHOLD). */
  threshold: number;
  /**
   * Only the last this many characters are scored (MAX_QUESTION_CHARS): the question is at the end,
   * and some patterns cost more than linear time in the length, so the window bounds every call.
   */
  maxChars: number;
}

/** Chinese word segmentation with its bundled dictionary, loaded once at module load (about 0.2 s). */
const jieba = Jieba.withDict(dict);

// ---- The table -------------------------------------------------------------------------------------

interface Cue {
  id: string;
  matches: RegExp | ((utterance: Utterance) => boolean);
  /** A positive cue: independent evidence, combined as 1 − Π(1 − weight). */
  weight?: number;
  /** A trap: scales the combined score; the smallest factor among the traps that fire wins. */
  factor?: number;
}

/**
 * Every cue with its weight, every trap with its factor. No trap factor exceeds 0.3, so a trap always
 * decides: even a certain question (1.0) scaled by 0.3 stays below the threshold. That is deliberate —
 * the traps name patterns whose question shape is the very reason the old matcher fired wrongly, and a
 * question mark ASR put on "我不知道为什么？" or "what a day?" is no better evidence than the words.
 */
const CUES: Cue[] = [
  { id: 'question-mark', matches: QUESTION_MARK, weight: 0.6 },
  { id: 'zh-particle-ma', matches: ZH_PARTICLE_MA, weight: 0.75 },
  { id: 'zh-particle-ne', matches: hasZhParticleNe, weight: 0.7 },
  { id: 'zh-particle-ba', matches: ZH_PARTICLE_BA, weight: 0.3 },
  { id: 'zh-wh', matches: hasZhQuestionWord, weight: 0.65 },
  { id: 'zh-what-is', matches: ZH_WHAT_IS, weight: 0.3 },
  { id: 'zh-a-not-a', matches: ZH_A_NOT_A, weight: 0.75 },
  { id: 'zh-request', matches: ZH_REQUEST, weight: 0.75 },
  { id: 'en-wh-start', matches: EN_WH_START, weight: 0.7 },
  { id: 'en-aux-inversion', matches: EN_AUX_INVERSION, weight: 0.7 },
  { id: 'en-aux-start', matches: EN_AUX_START, weight: 0.55 },
  { id: 'en-request', matches: EN_REQUEST, weight: 0.75 },
  { id: 'indirect-question', matches: ({ text }) => ZH_INDIRECT.test(text) || EN_INDIRECT.test(text), weight: 0.75 },
  { id: 'trap-indefinite', matches: TRAP_INDEFINITE, factor: 0.2 },
  { id: 'trap-embedded', matches: TRAP_EMBEDDED, factor: 0.15 },
  { id: 'trap-rhetorical', matches: TRAP_RHETORICAL, factor: 0.2 },
  { id: 'trap-exclamation', matches: TRAP_EXCLAMATION, factor: 0.1 },
  { id: 'trap-fragment', matches: isFragment, factor: 0.3 },
  { id: 'topic-lead', matches: TOPIC_LEAD },
];

/** Whole utterances that only keep the conversation going, even with a question mark ("好吧？", "right?"). */
const BACKCHANNEL =
  /^(?:嗯+|啊|哦+|噢|呃|对|对对+|是的|是|好|好的|好吧|行|可以|没问题|明白|明白了|知道了|了解|谢谢|谢谢你|ok|okay|yeah|yes|yep|no|nope|uh huh|mm+|hmm+|right|sure|got it|i see|thanks|thank you|cool|great|alright|all right|tell me about it)[\s,，.。!！~?？]*$/;
/** Fewer than two letters or characters once spaces and punctuation are gone. */
const TOO_SHORT = /^[\s\p{P}]*(?:[^\s\p{P}][\s\p{P}]*)?$/u;

/**
 * Decides whether a final utterance asks for information: Chinese, English or both mixed, with or
 * without punctuation (ASR often has none). Whole words, not substrings, and known traps (indefinites,
 * embedded questions, exclamations, fragments, backchannels) pull the score down. Pure and synchronous.
 */
export class QuestionDetector {
  constructor(private readonly options: DetectorOptions) {}

  detect(text: string): QuestionVerdict {
    const lowered = keepEnd(text.trim(), this.options.maxChars).toLowerCase();
    if (BACKCHANNEL.test(lowered)) return { isQuestion: false, unfinished: false, score: 0, reasons: ['backchannel'] };
    if (TOO_SHORT.test(lowered)) return { isQuestion: false, unfinished: false, score: 0, reasons: ['too-short'] };

    const utterance: Utterance = { text: lowered, words: jieba.cut(lowered, false) };
    let doubt = 1;
    let factor = 1;
    const reasons: string[] = [];
    for (const cue of CUES) {
      if (!(typeof cue.matches === 'function' ? cue.matches(utterance) : cue.matches.test(lowered))) continue;
      reasons.push(cue.id);
      if (cue.weight !== undefined) doubt *= 1 - cue.weight;
      if (cue.factor !== undefined) factor = Math.min(factor, cue.factor);
    }
    const score = Math.round((1 - doubt) * factor * 1000) / 1000;
    const isQuestion = score >= this.options.threshold;
    const unfinished = reasons.includes('trap-fragment') || (reasons.includes('topic-lead') && !isQuestion);
    return { isQuestion, unfinished, score, reasons };
  }
}

/** The detector the configuration describes: the service, the CLI and the evaluation all use this one. */
export function detectorFor(turn: Pick<TurnConfig, 'threshold' | 'maxQuestionChars'>): QuestionDetector {
  return new QuestionDetector({ threshold: turn.threshold, maxChars: turn.maxQuestionChars });
}
