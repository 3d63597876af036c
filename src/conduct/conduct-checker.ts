import type { Message } from '../model.js';
import { UNASSIGNED } from '../model.js';
import type { Finding } from '../report/model.js';
import type { ConductRules } from '../rules/pack-types.js';
import { localTime } from '../time/local.js';
import { clockToMs, dayToIso, type Zone } from '../time/zone.js';
import { builtInLexicon, detectText, type Lexicon, type TextRules } from './detectors.js';

/** Settings when a pack has no conduct section: every detector, no penalty. */
const DEFAULTS: ConductRules = {
  allowed_domains: { value: [], source: 'no conduct section in the pack: every link is reported' },
  night: { from: '23:00', to: '07:00', source: 'cs-audit default (RULES.md §8 names no hours)' },
  unanswered_messages: { value: 5, source: 'cs-audit default (RULES.md §8 names no number)' },
  penalties: [],
};

/** Per conversation: shop messages since the buyer last wrote, and late-night contacts so far. */
interface ConversationConduct {
  unanswered: number;
  /** Findings so far per detector (the n-th is what a "多次" penalty counts). */
  counts: Record<string, number>;
}

/**
 * One shop's conduct checks (RULES.md §8): the text detectors over every message the shop
 * sends to a buyer, and the harassment checks that need the conversation (messages in a row
 * without an answer, shop-initiated contact late at night). Findings are evidence: the message,
 * the matched text, who sent it, and where it was read.
 */
export class ConductChecker {
  readonly rules: ConductRules;
  private readonly text: TextRules;
  private readonly nightFrom: number;
  private readonly nightTo: number;
  /** buyer → conversation state; saved between history runs. */
  private conversations = new Map<string, ConversationConduct>();
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
        impatience: [...lexicon.impatience, ...(extra.impatience ?? [])],
        allowed: [...lexicon.allowed, ...(extra.allowed ?? [])],
      },
    };
    this.nightFrom = clockToMs(this.rules.night.from)!;
    this.nightTo = clockToMs(this.rules.night.to)!;
  }

  /** A buyer wrote: the shop's messages in a row start again from zero. */
  buyerMessage(m: Message): void {
    this.of(m.buyer).unanswered = 0;
  }

  /** A message the shop sent (agent or bot) in a customer conversation. */
  shopMessage(m: Message): void {
    if (m.type === 'auto_greeting' || m.type === 'system') return;
    // One finding per detector and message, quoting everything it matched there.
    const byDetector = new Map<string, string[]>();
    for (const match of detectText(m.content, this.text)) byDetector.set(match.detector, [...(byDetector.get(match.detector) ?? []), match.matched]);
    for (const [detector, matched] of byDetector) this.add(detector, m, matched.join(' | '));
    const c = this.of(m.buyer);
    c.unanswered++;
    // One finding per run of unanswered messages, on the message that reaches the limit.
    if (c.unanswered === this.rules.unanswered_messages.value) {
      this.add('unanswered_messages', m, `${c.unanswered} shop messages in a row without an answer from the buyer`);
    }
  }

  /** The shop started a contact (no buyer question open, RULES.md §1 seller-first). */
  shopInitiated(m: Message): void {
    if (!this.atNight(m.t)) return;
    const n = (this.of(m.buyer).counts.late_night_contact ?? 0) + 1;
    this.add('late_night_contact', m, `shop-initiated at ${localTime(m.t, this.zone).slice(11)} (night ${this.rules.night.from}-${this.rules.night.to}), night contact ${n} with this buyer`);
  }

  private atNight(t: number): boolean {
    const tod = this.zone.timeOfDayMs(t);
    return this.nightFrom <= this.nightTo ? tod >= this.nightFrom && tod < this.nightTo : tod >= this.nightFrom || tod < this.nightTo;
  }

  private add(detector: string, m: Message, matched: string): void {
    const counts = this.of(m.buyer).counts;
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

  private of(buyer: string): ConversationConduct {
    let c = this.conversations.get(buyer);
    if (!c) this.conversations.set(buyer, (c = { unanswered: 0, counts: {} }));
    return c;
  }

  saveState(): { conversations: Map<string, ConversationConduct>; findings: Finding[] } {
    return { conversations: this.conversations, findings: this.findings };
  }

  restoreState(state: { conversations: Map<string, ConversationConduct>; findings: Finding[] }): void {
    this.conversations = new Map([...state.conversations].map(([b, c]) => [b, { unanswered: c.unanswered, counts: { ...c.counts } }]));
    this.findings = [...state.findings];
  }
}
