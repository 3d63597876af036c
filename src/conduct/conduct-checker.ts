import type { Message } from '../model.js';
import { UNASSIGNED } from '../model.js';
import type { Finding } from '../report/model.js';
import type { ConductRules } from '../rules/pack-types.js';
import { localTime } from '../time/local.js';
import { clockToMs, dayToIso, type Zone } from '../time/zone.js';
import { builtInLexicon, detectText, type Lexicon, type Match, type TextRules } from './detectors.js';
import { SPARE_STATES } from '../engine/sweep.js';

/** Settings when a pack has no conduct section: every detector, no penalty. */
const DEFAULTS: ConductRules = {
  allowed_domains: { value: [], source: 'no conduct section in the pack: every link is reported' },
  night: { from: '23:00', to: '07:00', source: 'cs-audit default (RULES.md §8 names no hours)' },
  unanswered_messages: { value: 5, source: 'cs-audit default (RULES.md §8 names no number)' },
  penalties: [],
};

/**
 * Where a conversation keeps its conduct state (ShopAuditor's conversation): the checker keeps no
 * map of buyers, so a message costs no look-up. Null until the conversation's first message that
 * counts, and again once the conversation rests.
 */
export interface ConductHolder {
  conduct: ConversationConduct | null;
}

/** Per conversation: the shop's unanswered run, when each side last wrote, findings per detector. */
export interface ConversationConduct {
  unanswered: number;
  lastCountedT: number | null;
  lastBuyerT: number | null;
  lastShopT: number | null;
  /** Findings so far per detector (the n-th is what a "多次" penalty counts); null before the first. */
  counts: Record<string, number> | null;
}

/** Shop messages this soon after the buyer wrote answer the buyer: they are not unanswered contact. */
const ANSWER_MS = 10 * 60_000;
/** An unanswered run ends when the shop stays quiet this long; the next message starts a new one. */
const RUN_GAP_MS = 24 * 3_600_000;
/** A shop message starts a contact when the shop was quiet for an hour and the buyer for 12 hours. */
const CONTACT_GAP_MS = 3_600_000;
const BUYER_SILENCE_MS = 12 * 3_600_000;
/** Longer than every limit above: a conversation this quiet starts again as new (but its findings). */
export const QUIET_MS = Math.max(ANSWER_MS, RUN_GAP_MS, CONTACT_GAP_MS, BUYER_SILENCE_MS);
/** Texts whose matches are remembered at most (see detect). */
const TEXT_MEMORY = 20_000;
/** Messages that make contact; red packets, cards and notices do not count toward a run. */
const CONTACT_TYPES = new Set(['text', 'image', 'link']);

/**
 * One shop's conduct checks (RULES.md §8): the text detectors over every message the shop
 * sends to a buyer, and the harassment checks that need the conversation (messages in a row
 * without an answer, contact the shop starts late at night; their time limits are above). Findings are evidence: the message,
 * the matched text, who sent it, and where it was read.
 */
export class ConductChecker {
  readonly rules: ConductRules;
  private readonly text: TextRules;
  private readonly nightFrom: number;
  private readonly nightTo: number;
  private readonly seenTexts = new Map<string, readonly Match[]>();
  /** States of rested conversations, used again (as ShopAuditor does with segmenters, issue 8). */
  private readonly spare: ConversationConduct[] = [];
  findings: Finding[] = [];

  constructor(
    private readonly shop: string,
    rules: ConductRules | undefined,
    private readonly zone: Zone,
    lexicon: Lexicon = builtInLexicon(),
  ) {
    this.rules = rules ?? DEFAULTS;
    const extra = this.rules.lexicon ?? {};
    this.text = {
      allowedDomains: this.rules.allowed_domains.value,
      lexicon: {
        ...lexicon,
        abusive: [...lexicon.abusive, ...(extra.abusive ?? [])],
        threats: [...lexicon.threats, ...(extra.threats ?? [])],
        impatience: [...lexicon.impatience, ...(extra.impatience ?? [])],
        allowed: [...lexicon.allowed, ...(extra.allowed ?? [])],
      },
    };
    this.nightFrom = clockToMs(this.rules.night.from)!;
    this.nightTo = clockToMs(this.rules.night.to)!;
  }

  /** A buyer wrote: the shop's unanswered run starts again from zero. */
  buyerMessage(m: Message, holder: ConductHolder): void {
    const c = (holder.conduct ??= this.fresh());
    c.unanswered = 0;
    c.lastBuyerT = m.t;
  }

  /** A message the shop sent (agent or bot) in a customer conversation. */
  shopMessage(m: Message, holder: ConductHolder): void {
    if (m.type === 'auto_greeting' || m.type === 'system') return;
    // One finding per detector and message, quoting everything it matched there.
    const matches = this.detect(m.content);
    if (matches.length > 0) {
      const byDetector = new Map<string, string[]>();
      for (const match of matches) byDetector.set(match.detector, [...(byDetector.get(match.detector) ?? []), match.matched]);
      for (const [detector, matched] of byDetector) this.add(detector, m, matched.join(' | '), (holder.conduct ??= this.fresh()));
    }
    if (!CONTACT_TYPES.has(m.type)) return;
    const c = (holder.conduct ??= this.fresh());
    // Harassment by frequent contact (频繁联系): messages that do not answer the buyer (not within
    // 10 minutes of the buyer's last message), N in a row without an answer, none 24 h apart.
    const answering = c.lastBuyerT !== null && m.t - c.lastBuyerT <= ANSWER_MS;
    if (!answering) {
      if (c.lastCountedT !== null && m.t - c.lastCountedT > RUN_GAP_MS) c.unanswered = 0;
      c.unanswered++;
      c.lastCountedT = m.t;
      if (c.unanswered === this.rules.unanswered_messages.value) {
        this.add('unanswered_messages', m, `${c.unanswered} shop messages in a row without an answer from the buyer`, c);
      }
    }
    // Late at night the shop starts a contact: it was quiet for an hour and the buyer for 12 hours.
    const startsContact = (c.lastShopT === null || m.t - c.lastShopT > CONTACT_GAP_MS) && (c.lastBuyerT === null || m.t - c.lastBuyerT > BUYER_SILENCE_MS);
    c.lastShopT = m.t;
    if (startsContact && this.atNight(m.t)) {
      const n = (c.counts?.late_night_contact ?? 0) + 1;
      this.add('late_night_contact', m, `shop-initiated at ${localTime(m.t, this.zone).slice(11)} (night ${this.rules.night.from}-${this.rules.night.to}), night contact ${n} with this buyer`, c);
    }
  }

  /**
   * The text detectors' matches, remembered per text: shops send the same quick replies
   * (快捷短语) over and over. The memory is cleared when it is full.
   */
  private detect(content: string): readonly Match[] {
    let matches = this.seenTexts.get(content);
    if (matches === undefined) {
      matches = detectText(content, this.text);
      if (this.seenTexts.size >= TEXT_MEMORY) this.seenTexts.clear();
      this.seenTexts.set(content, matches);
    }
    return matches;
  }

  private atNight(t: number): boolean {
    const tod = this.zone.timeOfDayMs(t);
    return this.nightFrom <= this.nightTo ? tod >= this.nightFrom && tod < this.nightTo : tod >= this.nightFrom || tod < this.nightTo;
  }

  private add(detector: string, m: Message, matched: string, c: ConversationConduct): void {
    const counts = (c.counts ??= {});
    const occurrence = (counts[detector] = (counts[detector] ?? 0) + 1);
    this.findings.push({
      detector,
      date: dayToIso(this.zone.dayOf(m.t)),
      time: localTime(m.t, this.zone),
      shop: this.shop,
      agent: m.agent ?? UNASSIGNED,
      sender: m.sender,
      buyer: m.buyer,
      message: m.content,
      matched,
      occurrence,
      recalled: m.recalled,
      origin: m.origin,
    });
  }

  /** A new conversation's state. */
  private fresh(): ConversationConduct {
    const c = this.spare.pop();
    if (c === undefined) return { unanswered: 0, lastCountedT: null, lastBuyerT: null, lastShopT: null, counts: null };
    c.unanswered = 0;
    c.lastCountedT = null;
    c.lastBuyerT = null;
    c.lastShopT = null;
    c.counts = null;
    return c;
  }

  /**
   * A conversation quiet for longer than every time limit above: what it still matters is its
   * findings so far (null when none); the rest of its state is as good as new. Forgets it.
   */
  rest(holder: ConductHolder, buyer: string, now: number): Record<string, number> | null {
    const c = holder.conduct;
    if (c === null) return null;
    const last = Math.max(c.lastBuyerT ?? -Infinity, c.lastShopT ?? -Infinity, c.lastCountedT ?? -Infinity);
    if (!(now - last > QUIET_MS)) throw new Error(`conduct: conversation with ${buyer} is not at rest`);
    holder.conduct = null;
    const counts = c.counts;
    if (this.spare.length < SPARE_STATES) this.spare.push(c);
    return counts;
  }

  /** A rested conversation writes again: its findings so far come back. */
  wake(holder: ConductHolder, counts: Record<string, number>): void {
    (holder.conduct = this.fresh()).counts = counts;
  }

  /** The state to go on from: the conversations' (buyer → state), and the findings. */
  saveState(holders: Iterable<[string, ConductHolder]>): { conversations: Map<string, ConversationConduct>; findings: Finding[] } {
    const conversations = new Map<string, ConversationConduct>();
    for (const [buyer, h] of holders) if (h.conduct !== null) conversations.set(buyer, h.conduct);
    return { conversations, findings: this.findings };
  }

  /** Go on from a saved state: the findings are taken here, and each conversation's state is given back to hold. */
  restoreState(state: { conversations: Map<string, ConversationConduct>; findings: Finding[] }): Map<string, ConversationConduct> {
    this.findings = [...state.findings];
    return new Map([...state.conversations].map(([b, c]) => [b, { ...c, counts: c.counts === null ? null : { ...c.counts } }]));
  }
}
