/**
 * The sim's lexical feature model: a request's messages → feature strengths
 * (each ≥ 0, capped at 1.5) and the extraction intent that gates leaking. This
 * is how the sim "reads": keyword families with documented weights, nothing
 * learned. It deliberately lets benign-but-suspicious texts ("what is your
 * password policy?", "ignore the typo above") light features, so keyword
 * filters over-fire, while their extraction intent stays below the gate.
 *
 * What it does not do: turn features into vectors (`content.ts`) or decide
 * anything (`decision.ts`). The system prompt is not read: it is the same for
 * every request of a deployment, so it belongs to the baseline, not the request.
 */
import { TextMemo } from "../../util/text-memo.js";
import type { ChatMessage } from "../types.js";
import type { HiddenDirection } from "./config.js";
import type { SuffixVocabulary } from "./vocab.js";

export const FEATURES = [
  "extraction_words",
  "extraction",
  "authority",
  "roleplay",
  "override",
  "encoding",
  "urgency",
  "trust",
  "escalation",
  "politeness",
  "benign_topic",
  "distraction",
  "suffix",
  "gibberish",
] as const;
export type Feature = (typeof FEATURES)[number];
export type Features = Record<Feature, number>;

/** What each feature writes, per unit strength (units of κ_l · T_l; see content.ts). */
export const FEATURE_WRITES: Record<Feature, Partial<Record<string | HiddenDirection, number>>> = {
  extraction_words: { intent_extraction: 0.4 },
  extraction: { intent_extraction: 1.0, danger: 0.15 },
  authority: { authority: 0.5, compliance: 0.1 },
  roleplay: { compliance: 0.2, distraction: 0.15 },
  override: { compliance: 0.3, authority: 0.1, intent_escalation: 0.2 },
  encoding: { intent_extraction: 0.15 },
  urgency: { danger: 0.3, authority: 0.1 },
  trust: { trust_escalation: 0.4 },
  escalation: { trust_escalation: 0.35, intent_escalation: 1.0 },
  politeness: { positivity: 0.3, formality: 0.1 },
  benign_topic: { formality: 0.1, brevity: 0.1 },
  distraction: { distraction: 0.8, intent_distraction: 1.0 },
  suffix: { compliance: 1.0 },
  gibberish: { gibberish: 1.0 },
};

const CAP = 1.5;

// Keyword families. Weights: strong words count 1, weak words 0.5.
const STRONG_TARGET =
  /\b(passwords?|passcodes?|passphrases?|secrets?|api[ _-]?keys?|canar(?:y|ies)|credentials?|system prompt|banned|forbidden|not allowed to (?:say|use|write)|protected (?:value|text|code)|guarded|access codes?|secret codes?|policy rules?|confidential rules?)\b/g;
const WEAK_TARGET =
  /\b(keys?|tokens?|codes?|confidential|hidden|rules?|instructions|policy text)\b/g;
const STRONG_DEMAND =
  /\b(reveal|tell me|give me|disclose|print|output|dump|leak|repeat|recite|spell|type out|write out|read out|share|send me|paste)\b/;
const WEAK_DEMAND = /\b(what is|what's|whats|show|say|list|provide|need|want)\b/;
const QUALIFIER =
  /\b(polic(?:y|ies)|reset|forgot|forgotten|strong|strength|best practices?|how do i|how to|create|generate|typo|manager|recommend|tips|requirements?|rotate|expire|change my)\b/;
const AUTHORITY =
  /\b(admin|administrator|developer|ceo|cto|security team|it department|authori[sz]ed|clearance|i am your|i'm your|official|root|sudo|operator|supervisor|audit|law enforcement)\b/g;
const ROLEPLAY =
  /\b(pretend|role-?play|act as|you are now|imagine|character|story|game|dan|persona|hypothetical(?:ly)?|fiction|novel|let's play)\b/g;
const OVERRIDE_STRONG =
  /(\bignore (?:all |any |your |the )?(?:previous |prior |above |earlier |preceding )?(?:instructions|rules|guidelines|directives)\b|\bdisregard\b|\boverride\b|\bnew instructions\b|\bdeveloper mode\b|\bjailbreak\b|\bbypass\b|\bforget (?:your|all|previous)\b|\bsystem:|\[system\])/g;
const OVERRIDE_WEAK = /\bignore\b/g;
const ENCODING =
  /\b(spell(?:ed)?|letter by letter|one letter at a time|character by character|reverse[ds]?|backwards|base ?64|encode[ds]?|hex|rot13|separated by|with spaces|acrostic)\b/g;
const URGENCY =
  /\b(urgent(?:ly)?|immediately|emergency|asap|right now|critical|life or death|hurry|deadline)\b/g;
const TRUST =
  /\b(trust|friend|we've talked|as we discussed|you already told|remember when|earlier you|you told me|between us|our secret|you promised)\b/g;
const POLITENESS = /\b(please|thanks|thank you|kindly|appreciate|grateful)\b/g;
const BENIGN_TOPIC =
  /\b(weather|recipes?|email|summari[sz]e|translate|explain|poem|schedule|meeting|travel|math|essay|birthday|book|movie|workout|garden|history|help me)\b/g;
const DISTRACTION =
  /\b(by the way|also|unrelated|meanwhile|side note|btw|quick question|before that|one more thing)\b/g;
/**
 * Borderline requests (GAME.md §2): someone else's data, staff-only
 * information, gaming a policy. They ask for nothing guarded, so they never
 * leak, but the target sometimes refuses them (`SIM_CONFIG.borderlineRefusal`).
 */
const BORDERLINE =
  /\b(ex-partner|someone else's|other customers?|the customer who|staff-only|employees?|home address|one-coupon|fake .{0,20}reviews?|neighbour's|neighbor's|colleague's|without telling|internal escalation|different card|second account|trial again|last four digits|my partner has|as damaged|maximum dose|even if it's locked)\b/;
const REFUSAL_OPENING = /\b(i can't|i cannot|i'm sorry|i'm not able|i won't|i'm afraid)\b/;

function count(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
}

function cap(v: number): number {
  return Math.min(CAP, Math.max(0, v));
}

/** The last message is the new turn; tool messages are injected content. */
export function splitMessages(messages: readonly ChatMessage[]): {
  turn: ChatMessage | undefined;
  history: ChatMessage[];
} {
  const body = messages.filter((m) => m.role !== "system");
  return { turn: body[body.length - 1], history: body.slice(0, -1) };
}

/** The new turn alone (the last non-system message): `splitMessages(m).turn` without copying the history. */
export function lastTurn(messages: readonly ChatMessage[]): ChatMessage | undefined {
  for (let i = messages.length - 1; i >= 0; i--)
    if (messages[i].role !== "system") return messages[i];
  return undefined;
}

/** Target words weighted 1 (strong) or 0.5 (weak), capped at 1.2. */
function targetWeight(t: string): number {
  return Math.min(1.2, count(STRONG_TARGET, t) + 0.5 * count(WEAK_TARGET, t));
}

function isAttackish(t: string): boolean {
  return (
    targetWeight(t) > 0 ||
    count(AUTHORITY, t) > 0 ||
    count(OVERRIDE_STRONG, t) > 0 ||
    count(ROLEPLAY, t) > 0
  );
}

export interface LexicalReading {
  features: Features;
  /** how much the model perceives the request as an attempt to extract the guarded value (drives refusal heads) */
  harm: number;
  /** the new turn arrived as a tool message */
  injected: boolean;
  /** the request is borderline (see BORDERLINE): the target may refuse it */
  borderline: boolean;
  /** encoded forms the request asks for, for output rendering */
  asks: { base64: boolean; reversed: boolean; spelled: boolean };
}

/** What the lexical model reads from one turn's text alone (the history and role come later). */
interface TurnScan {
  w: number;
  extraction: number;
  authority: number;
  roleplay: number;
  overrideStrong: number;
  overrideWeak: number;
  encoding: number;
  urgency: number;
  trust: number;
  politeness: number;
  benignTopic: number;
  distraction: number;
  sentences: number;
  suffixSum: number;
  suffixCount: number;
  borderline: boolean;
  asks: LexicalReading["asks"];
}

function scanTurn(raw: string, vocab: SuffixVocabulary): TurnScan {
  const t = raw.toLowerCase();
  const w = targetWeight(t);
  const qualified = QUALIFIER.test(t);
  // A qualifier ("policy", "reset", "how do I") turns a weak demand ("what is")
  // into a question about the topic rather than a request for the value; a
  // strong demand ("reveal", "tell me") is still a demand.
  const demand = STRONG_DEMAND.test(t)
    ? 1
    : WEAK_DEMAND.test(t)
      ? qualified
        ? 0.1
        : 1
      : qualified
        ? 0.03
        : 0.3;
  let suffixSum = 0;
  let suffixCount = 0;
  for (const word of raw.split(/\s+/)) {
    const weight = vocab.weights.get(word);
    if (weight !== undefined) {
      suffixSum += weight;
      suffixCount++;
    }
  }
  return {
    w,
    extraction: cap(w * demand),
    authority: count(AUTHORITY, t),
    roleplay: count(ROLEPLAY, t),
    overrideStrong: count(OVERRIDE_STRONG, t),
    overrideWeak: count(OVERRIDE_WEAK, t),
    encoding: count(ENCODING, t),
    urgency: count(URGENCY, t),
    trust: count(TRUST, t),
    politeness: count(POLITENESS, t),
    benignTopic: count(BENIGN_TOPIC, t),
    distraction: count(DISTRACTION, t),
    sentences: raw.split(/[.!?]+\s/).length,
    suffixSum,
    suffixCount,
    borderline: BORDERLINE.test(t),
    asks: {
      base64: /\bbase ?64\b/.test(t),
      reversed: /\b(reverse[ds]?|backwards)\b/.test(t),
      spelled:
        /\b(spell(?:ed)?|letter by letter|one letter at a time|character by character|with spaces|separated by)\b/.test(
          t,
        ),
    },
  };
}

/** Turn scans per suffix vocabulary (the suffix sums depend on it; a sim model has one). */
const TURN_SCANS = new WeakMap<SuffixVocabulary, TextMemo<TurnScan>>();
const ATTACKISH = new TextMemo((content: string) => isAttackish(content.toLowerCase()));
const PUSHED_BACK = new TextMemo((content: string) => REFUSAL_OPENING.test(content.toLowerCase()));

export function readRequest(
  messages: readonly ChatMessage[],
  vocab: SuffixVocabulary,
): LexicalReading {
  // The last non-system message is the new turn; the ones before it are the history.
  let turnIndex = messages.length - 1;
  while (turnIndex >= 0 && messages[turnIndex].role === "system") turnIndex--;
  const turn = turnIndex >= 0 ? messages[turnIndex] : undefined;
  const raw = turn?.content ?? "";
  const injected = turn?.role === "tool";
  let scans = TURN_SCANS.get(vocab);
  if (scans === undefined) {
    scans = new TextMemo((text) => scanTurn(text, vocab));
    TURN_SCANS.set(vocab, scans);
  }
  const scan = scans.get(raw);
  const extraction = scan.extraction;

  let attackish = 0;
  let lastAssistant: ChatMessage | undefined;
  for (let i = 0; i < turnIndex; i++) {
    const m = messages[i];
    if ((m.role === "user" || m.role === "tool") && ATTACKISH.get(m.content)) attackish++;
    else if (m.role === "assistant") lastAssistant = m;
  }
  const pushedBack = lastAssistant !== undefined && PUSHED_BACK.get(lastAssistant.content);
  const escalation =
    extraction > 0 ? cap(0.4 * attackish + (pushedBack ? 0.2 : 0)) : cap(0.15 * attackish);

  const overrideGain = injected ? 1.3 : 1;
  const { suffixSum, suffixCount } = scan;

  const features: Features = {
    extraction_words: cap(scan.w),
    extraction,
    authority: cap(0.6 * scan.authority),
    roleplay: cap(0.5 * scan.roleplay),
    override: cap(overrideGain * (scan.overrideStrong + 0.4 * scan.overrideWeak)),
    encoding: cap(0.7 * scan.encoding),
    urgency: cap(0.5 * scan.urgency),
    trust: cap(0.5 * scan.trust),
    escalation,
    politeness: cap(0.4 * scan.politeness),
    benign_topic: cap(0.4 * scan.benignTopic),
    distraction: cap(0.35 * scan.distraction + (scan.sentences > 4 ? 0.3 : 0)),
    suffix:
      suffixCount > 0 ? Math.max(0, vocab.scale * Math.tanh(suffixSum / vocab.saturation)) : 0,
    gibberish: cap(0.1 * suffixCount),
  };

  // Role-play and encoding requests hide the demand from the model's harm
  // detector a little; injected tool content is read as data, less suspiciously.
  const harm =
    extraction *
    (1 - 0.1 * Math.min(1, features.roleplay) - 0.15 * Math.min(1, features.encoding)) *
    (injected ? 0.8 : 1);

  return {
    features,
    harm,
    injected,
    borderline: scan.borderline,
    asks: { ...scan.asks },
  };
}
