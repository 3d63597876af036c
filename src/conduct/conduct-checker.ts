import type { Message } from '../model.js';
import { UNASSIGNED } from '../model.js';
import type { Finding } from '../report/model.js';
import type { ConductRules } from '../rules/pack-types.js';
import { localTime } from '../time/local.js';
import { clockToMs, dayToIso, type Zone } from '../time/zone.js';
import { withRoom } from '../engine/columns.js';
import { builtInLexicon, detectText, type Lexicon, type Match, type TextRules } from './detectors.js';

/** Settings when a pack has no conduct section: every detector, no penalty. */
const DEFAULTS: ConductRules = {
  allowed_domains: { value: [], source: 'no conduct section in the pack: every link is reported' },
  night: { from: '23:00', to: '07:00', source: 'cs-audit default (RULES.md §8 names no hours)' },
  unanswered_messages: { value: 5, source: 'cs-audit default (RULES.md §8 names no number)' },
  penalties: [],
};

/**
 * One conversation's conduct state as a later run saves it (src/history): the shop's unanswered
 * run, when each side last wrote, findings per detector.
 */
export interface ConversationConduct {
  unanswered: number;
  lastCountedT: number | null;
  lastBuyerT: number | null;
  lastShopT: number | null;
  /** Findings so far per detector (the n-th is what a "多次" penalty counts); null before the first. */
  counts: Record<string, number> | null;
}

/** A conversation's numbers, in a row of `ConductChecker.numbers` (NaN: never). */
const UNANSWERED = 0;
const LAST_COUNTED_T = 1;
const LAST_BUYER_T = 2;
const LAST_SHOP_T = 3;
const NUMBERS = 4;

/** Shop messages this soon after the buyer wrote answer the buyer: they are not unanswered contact. */
const ANSWER_MS = 10 * 60_000;
/** An unanswered run ends when the shop stays quiet this long; the next message starts a new one. */
const RUN_GAP_MS = 24 * 3_600_000;
/** A shop message starts a contact when the shop was quiet for an hour and the buyer for 12 hours. */
const CONTACT_GAP_MS = 3_600_000;
const BUYER_SILENCE_MS = 12 * 3_600_000;
/** Texts whose matches are remembered at most (see detect). */
const TEXT_MEMORY = 20_000;
/** Longer than every limit above: a conversation this quiet is as good as new (but its findings). */
export const QUIET_MS = Math.max(ANSWER_MS, RUN_GAP_MS, CONTACT_GAP_MS, BUYER_SILENCE_MS);
/** Messages that make contact; red packets, cards and notices do not count toward a run. */
const CONTACT_TYPES = new Set(['text', 'image', 'link']);

/**
 * One shop's conduct checks (RULES.md §8): the text detectors over every message the shop
 * sends to a buyer, and the harassment checks that need the conversation (messages in a row
 * without an answer, contact the shop starts late at night; their time limits are above). Findings are evidence: the message,
 * the matched text, who sent it, and where it was read. A conversation is the slot its
 * segmenter gave it (see Segmenter): its state is a row here, not an object (issue 8).
 */
export class ConductChecker {
  readonly rules: ConductRules;
  private readonly text: TextRules;
  private readonly nightFrom: number;
  private readonly nightTo: number;
  /** The text detectors' matches per text, shared by the shops checked with the same words (see detect). */
  private readonly seenTexts: Map<string, readonly Match[]>;
  private numbers = new Float64Array(64 * NUMBERS);
  /** Findings so far per detector and conversation (the n-th is what a "多次" penalty counts); null before the first. */
  private readonly counts: (Record<string, number> | null)[] = [];
  findings: Finding[] = [];

  constructor(
    private readonly shop: string,
    rules: ConductRules | undefined,
    private readonly zone: Zone,
    lexicon: Lexicon = builtInLexicon(),
  ) {
    this.rules = rules ?? DEFAULTS;
    ({ text: this.text, seenTexts: this.seenTexts } = textChecks(lexicon, this.rules));
    this.nightFrom = clockToMs(this.rules.night.from)!;
    this.nightTo = clockToMs(this.rules.night.to)!;
  }

  /** A new conversation in `slot` (a new one, or one given back): nothing sent, nothing found. */
  open(slot: number): void {
    this.numbers = withRoom(this.numbers, (slot + 1) * NUMBERS);
    const n = slot * NUMBERS;
    this.numbers[n + UNANSWERED] = 0;
    this.numbers[n + LAST_COUNTED_T] = Number.NaN;
    this.numbers[n + LAST_BUYER_T] = Number.NaN;
    this.numbers[n + LAST_SHOP_T] = Number.NaN;
    this.counts[slot] = null;
  }

  /**
   * A conversation quiet since before `now - QUIET_MS`, longer than every time limit above: its
   * times and its unanswered run are as good as new, and are forgotten (the state saved for a
   * later run stays small). Whether it found anything (its findings per detector stay).
   */
  settle(slot: number, buyer: string, now: number): boolean {
    const n = slot * NUMBERS;
    const x = this.numbers;
    // (A NaN time, "never", passes: the comparison is false.)
    for (const t of [x[n + LAST_COUNTED_T]!, x[n + LAST_BUYER_T]!, x[n + LAST_SHOP_T]!]) {
      if (now - t <= QUIET_MS) throw new Error(`conduct: conversation with ${buyer} is not at rest`);
    }
    x[n + UNANSWERED] = 0;
    x[n + LAST_COUNTED_T] = Number.NaN;
    x[n + LAST_BUYER_T] = Number.NaN;
    x[n + LAST_SHOP_T] = Number.NaN;
    return this.counts[slot] !== null;
  }

  /** A buyer wrote: the shop's unanswered run starts again from zero. */
  buyerMessage(m: Message, slot: number): void {
    this.numbers[slot * NUMBERS + UNANSWERED] = 0;
    this.numbers[slot * NUMBERS + LAST_BUYER_T] = m.t;
  }

  /** A message the shop sent (agent or bot) in a customer conversation. */
  shopMessage(m: Message, slot: number): void {
    if (m.type === 'auto_greeting' || m.type === 'system') return;
    // One finding per detector and message, quoting everything it matched there.
    const matches = this.detect(m.content);
    if (matches.length > 0) {
      const byDetector = new Map<string, string[]>();
      for (const match of matches) byDetector.set(match.detector, [...(byDetector.get(match.detector) ?? []), match.matched]);
      for (const [detector, matched] of byDetector) this.add(detector, m, matched.join(' | '), slot);
    }
    if (!CONTACT_TYPES.has(m.type)) return;
    const x = this.numbers;
    const n = slot * NUMBERS;
    const lastBuyerT = x[n + LAST_BUYER_T]!;
    const lastShopT = x[n + LAST_SHOP_T]!;
    // (A comparison with NaN, "never", is false: the tests below read "null or ..." as before.)
    // Harassment by frequent contact (频繁联系): messages that do not answer the buyer (not within
    // 10 minutes of the buyer's last message), N in a row without an answer, none 24 h apart.
    const answering = m.t - lastBuyerT <= ANSWER_MS;
    if (!answering) {
      if (m.t - x[n + LAST_COUNTED_T]! > RUN_GAP_MS) x[n + UNANSWERED] = 0;
      const unanswered = x[n + UNANSWERED]! + 1;
      x[n + UNANSWERED] = unanswered;
      x[n + LAST_COUNTED_T] = m.t;
      if (unanswered === this.rules.unanswered_messages.value) {
        this.add('unanswered_messages', m, `${unanswered} shop messages in a row without an answer from the buyer`, slot);
      }
    }
    // Late at night the shop starts a contact: it was quiet for an hour and the buyer for 12 hours.
    const startsContact = !(m.t - lastShopT <= CONTACT_GAP_MS) && !(m.t - lastBuyerT <= BUYER_SILENCE_MS);
    x[n + LAST_SHOP_T] = m.t;
    if (startsContact && this.atNight(m.t)) {
      const nth = (this.counts[slot]?.late_night_contact ?? 0) + 1;
      this.add('late_night_contact', m, `shop-initiated at ${localTime(m.t, this.zone).slice(11)} (night ${this.rules.night.from}-${this.rules.night.to}), night contact ${nth} with this buyer`, slot);
    }
  }

  /**
   * The text detectors' matches, remembered per text: shops send the same quick replies
   * (快捷短语) over and over, and a team's shops often the same ones. The memory is cleared when
   * it is full. (One per shop held 500 shops' texts apart, 500 times the memory.)
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

  private add(detector: string, m: Message, matched: string, slot: number): void {
    const counts = (this.counts[slot] ??= {});
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

  /** The state to go on from: each conversation's that holds anything (buyer → state), and the findings. */
  saveState(slots: Iterable<[string, number]>): { conversations: Map<string, ConversationConduct>; findings: Finding[] } {
    const conversations = new Map<string, ConversationConduct>();
    const time = (t: number) => (Number.isNaN(t) ? null : t);
    for (const [buyer, slot] of slots) {
      const n = slot * NUMBERS;
      const c: ConversationConduct = {
        unanswered: this.numbers[n + UNANSWERED]!,
        lastCountedT: time(this.numbers[n + LAST_COUNTED_T]!),
        lastBuyerT: time(this.numbers[n + LAST_BUYER_T]!),
        lastShopT: time(this.numbers[n + LAST_SHOP_T]!),
        counts: this.counts[slot] ?? null,
      };
      if (c.unanswered !== 0 || c.lastCountedT !== null || c.lastBuyerT !== null || c.lastShopT !== null || c.counts !== null) conversations.set(buyer, c);
    }
    return { conversations, findings: this.findings };
  }

  /**
   * Go on from a saved state: the findings are taken here, and each conversation's state goes to
   * its slot (`slotOf`: undefined for a buyer without a conversation, which no state saves).
   */
  restoreState(state: { conversations: Map<string, ConversationConduct>; findings: Finding[] }, slotOf: (buyer: string) => number | undefined): void {
    this.findings = [...state.findings];
    for (const [buyer, c] of state.conversations) {
      const slot = slotOf(buyer);
      if (slot === undefined) throw new Error(`history state of ${this.shop}: conduct state for ${buyer} without a conversation`);
      const n = slot * NUMBERS;
      this.numbers[n + UNANSWERED] = c.unanswered;
      this.numbers[n + LAST_COUNTED_T] = c.lastCountedT ?? Number.NaN;
      this.numbers[n + LAST_BUYER_T] = c.lastBuyerT ?? Number.NaN;
      this.numbers[n + LAST_SHOP_T] = c.lastShopT ?? Number.NaN;
      this.counts[slot] = c.counts === null ? null : { ...c.counts };
    }
  }
}

interface TextChecks {
  text: TextRules;
  seenTexts: Map<string, readonly Match[]>;
}

/**
 * The text rules (the lexicon with the pack's own words) and the memory of their matches, one per
 * lexicon and pack words: the shops of a run share them (see builtInLexicon, detect). Keyed by
 * the words themselves, not the pack object: a pack changed between two audits is another key.
 */
const TEXT_CHECKS = new WeakMap<Lexicon, Map<string, TextChecks>>();

function textChecks(lexicon: Lexicon, rules: ConductRules): TextChecks {
  let byRules = TEXT_CHECKS.get(lexicon);
  if (byRules === undefined) TEXT_CHECKS.set(lexicon, (byRules = new Map()));
  const key = JSON.stringify([rules.lexicon ?? null, rules.allowed_domains.value]);
  let checks = byRules.get(key);
  if (checks === undefined) {
    const extra = rules.lexicon ?? {};
    const merged: Lexicon = {
      ...lexicon,
      abusive: [...lexicon.abusive, ...(extra.abusive ?? [])],
      threats: [...lexicon.threats, ...(extra.threats ?? [])],
      impatience: [...lexicon.impatience, ...(extra.impatience ?? [])],
      allowed: [...lexicon.allowed, ...(extra.allowed ?? [])],
    };
    checks = { text: { allowedDomains: [...rules.allowed_domains.value], lexicon: merged }, seenTexts: new Map() };
    byRules.set(key, checks);
  }
  return checks;
}
