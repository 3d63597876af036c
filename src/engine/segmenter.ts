import type { Message } from '../model.js';
import { withRoom } from './columns.js';

/**
 * What decides, message by message, how a conversation is cut into rounds and sessions.
 * Built from the rule version in force on the message's day (see conversation-rules.ts).
 */
export interface SegmentRules {
  /** Buyer message types that ask for a reply. */
  isQuestion(m: Message): boolean;
  /** RULES.md §1 Valid reply. */
  isValidReply(m: Message): boolean;
  /** An `assign` re-starts a waiting round at the assign time. */
  assignRestarts: boolean;
  sessionGapMs: number;
  /**
   * How long an unanswered session's first reply can still change its verdict (the longest
   * session limit). After that it is reported as unanswered, so memory does not grow with
   * conversations that never get a reply.
   */
  sessionWaitMs: number;
}

/** A buyer-first round (首问首答), RULES.md §1. */
export interface Round {
  shop: string;
  buyer: string;
  /** The time the 3 minutes count from: the opening message, or the assign time if re-started. */
  start: number;
  startDay: number;
  /** The opening buyer message. */
  opening: Message;
  /** Set when an `assign` re-started the round. */
  restartedAt: number | null;
  buyerMessages: number;
  /** The account that received the opening message (or was assigned the round). */
  receiver: string | null;
  /** The conversation was with an automatic bot while this round was open, and no assign re-started it. */
  botHeld: boolean;
  /** The buyer blocked the shop while the round was open, or before it opened. */
  blacklisted: boolean;
  /** A buyer message in the round was flagged `abusive`. */
  abusive: boolean;
  reply: Message | null;
  /** The conversation's last shop account when the round closed. */
  lastAccount: string | null;
  closedBy: 'reply' | 'new_day' | 'end';
  /** When it closed: the reply, or the buyer's first message of a later day; null at the end of data. */
  closedAt: number | null;
  /** Every message and event while it was open (only when evidence is collected). */
  messages: Message[] | null;
}

/** A shop message sent while no round was open (e.g. 催付): outbound activity, never assessed. */
export interface SellerFirst {
  shop: string;
  buyer: string;
  t: number;
  day: number;
  agent: string | null;
}

/**
 * RULES.md §1 Session: a buyer-initiated stretch of a conversation. Its first response is the
 * first valid reply after its opening message, even when that comes after a later session opened.
 */
export interface Session {
  shop: string;
  buyer: string;
  start: number;
  startDay: number;
  opening: Message;
  receiver: string | null;
  firstReply: Message | null;
  lastAccount: string | null;
  /** When it was reported without a reply because no reply could change its verdict any more. */
  givenUpAt: number | null;
}

export interface SegmentSink {
  /**
   * An eligible buyer question, as it arrives (for per-message and per-buyer metrics), with the
   * conversation's last shop account at that moment.
   */
  question(m: Message, day: number, lastAccount: string | null): void;
  /** A valid reply, as it arrives. */
  reply(m: Message, day: number): void;
  round(r: Round): void;
  sellerFirst(s: SellerFirst): void;
  session(s: Session): void;
}

/** A conversation's numbers, in a row of `Segmenter.numbers`. */
const LAST_ELIGIBLE_T = 0;
const LAST_ELIGIBLE_DAY = 1;
const FLAGS = 2;
const NUMBERS = 3;
/** Its objects, in a row of `Segmenter.objects`. */
const LAST_ACCOUNT = 0;
const ROUND = 1;
/** The open session: a Session, `true` once it is reported (all that matters then is that one is open), or null. */
const SESSION = 2;
/** Sessions still waiting for their first valid reply (a reply answers every one of them), or null for none. */
const UNANSWERED = 3;
const OBJECTS = 4;
/** Bits of FLAGS. */
const SELLER_OPEN = 1;
const WITH_BOT = 2;
const BLACKLISTED = 4;

/**
 * One conversation's state as a later run saves it (src/history): the fields the segmenter of one
 * conversation had, as plain data.
 */
export interface SegmenterState {
  round: Round | null;
  sellerOpen: boolean;
  withBot: boolean;
  blacklisted: boolean;
  lastAccount: string | null;
  session: Session | true | null;
  unanswered: Session[];
  lastEligibleT: number;
  lastEligibleDay: number;
}

/**
 * A conversation at rest as a later run saves it: woken, with its last account and its session
 * open in name (`session` true), or none (null: the data ended since, see Segmenter.finish).
 * See Segmenter.wake.
 */
export function restedState(lastAccount: string | null, session: true | null = true): SegmenterState {
  return { round: null, sellerOpen: false, withBot: false, blacklisted: false, lastAccount, session, unanswered: [], lastEligibleT: -Infinity, lastEligibleDay: Number.NaN };
}

/** The last account of a saved conversation that is one at rest (restedState's, either session), or undefined. */
export function restedAccount(s: SegmenterState): string | null | undefined {
  const rested =
    s.round === null &&
    !s.sellerOpen &&
    !s.withBot &&
    !s.blacklisted &&
    (s.session === true || s.session === null) &&
    s.unanswered.length === 0 &&
    s.lastEligibleT === -Infinity &&
    Number.isNaN(s.lastEligibleDay);
  return rested ? s.lastAccount : undefined;
}

/**
 * Every conversation of one shop, each a state machine: fed eligible messages and events in
 * time order, it emits rounds, seller-first rounds and sessions as they close.
 *
 * Issue 8: a conversation is a slot, its state a row of numbers and a row of objects in two
 * arrays the slots share, not objects of its own. A month of a large shop has hundreds of
 * thousands of buyers: objects per buyer spread each message's look-ups over the heap and gave
 * the collector a graph to copy and trace, where rows are a cache line or two and the numbers
 * none of its work. A conversation that rests (see restingAccount) gives its slot back, and a
 * new or woken one takes it again.
 */
export class Segmenter {
  private numbers = new Float64Array(64 * NUMBERS);
  private readonly objects: unknown[] = [];
  /** Slots so far. A slot's buyer is the auditor's to know: each message names it (m.buyer). */
  private slots = 0;

  constructor(
    private readonly shop: string,
    private readonly sink: SegmentSink,
    /** Keep each round's messages, for evidence (--details). */
    private readonly collect = false,
  ) {}

  /** Slots so far: 0 to size - 1. */
  get size(): number {
    return this.slots;
  }

  /** A new conversation, in a new slot: the slot. */
  open(): number {
    const slot = this.slots++;
    this.numbers = withRoom(this.numbers, (slot + 1) * NUMBERS);
    this.objects.push(null, null, null, null);
    this.reuse(slot);
    return slot;
  }

  /** A new conversation in a slot given back (or just made): every field as new. */
  reuse(slot: number): void {
    const n = slot * NUMBERS;
    this.numbers[n + LAST_ELIGIBLE_T] = -Infinity;
    this.numbers[n + LAST_ELIGIBLE_DAY] = Number.NaN;
    this.numbers[n + FLAGS] = 0;
    const o = slot * OBJECTS;
    this.objects[o + LAST_ACCOUNT] = null;
    this.objects[o + ROUND] = null;
    this.objects[o + SESSION] = null;
    this.objects[o + UNANSWERED] = null;
  }

  /**
   * A conversation quiet for longer than any time limit, and since an earlier local day: when
   * nothing is open (no round, no session waiting for its first reply), when it last had an
   * eligible message no longer matters, and is forgotten (the state saved for a later run stays
   * small). Its next message is on a later day: a buyer's opens a new session whatever the gap,
   * a shop's moves the conversation to its day. Whether something was open (then nothing changes).
   */
  settle(slot: number): boolean {
    const o = slot * OBJECTS;
    if (this.objects[o + ROUND] !== null || this.objects[o + UNANSWERED] !== null) return false;
    const session = this.objects[o + SESSION];
    if (session !== null && session !== true) return false;
    this.numbers[slot * NUMBERS + LAST_ELIGIBLE_T] = -Infinity;
    this.numbers[slot * NUMBERS + LAST_ELIGIBLE_DAY] = Number.NaN;
    return true;
  }

  /**
   * What a settled conversation keeps when it rests and gives its slot back, or undefined when it
   * cannot: its last account, when no flag is set (blocked, with the bot, seller-first open), and
   * whether its session is open in name (sessionOpenInName) or there is none (the data ended
   * since: finish). Which matters: with a session open in name, a shop message on a later day
   * moves the conversation to that day, and a buyer message soon after still joins it (RULES.md
   * §1 Session). The others keep their slot.
   */
  restingAccount(slot: number): string | null | undefined {
    const o = slot * OBJECTS;
    const session = this.objects[o + SESSION];
    if ((session !== true && session !== null) || this.numbers[slot * NUMBERS + FLAGS] !== 0) return undefined;
    return this.objects[o + LAST_ACCOUNT] as string | null;
  }

  /** Whether a settled conversation's session is open in name (see wake); else it has none. */
  sessionOpenInName(slot: number): boolean {
    return this.objects[slot * OBJECTS + SESSION] === true;
  }

  /**
   * A rested conversation goes on in `slot` (taken with reuse): its last account, and its session
   * open in name. When the session was last touched does not matter: the next message either
   * moves the conversation to its own day (a shop message) or is a buyer's on a later day, which
   * opens a new session anyway.
   */
  wake(slot: number, lastAccount: string | null, openInName = true): void {
    const o = slot * OBJECTS;
    this.objects[o + LAST_ACCOUNT] = lastAccount;
    this.objects[o + SESSION] = openInName ? true : null;
  }

  /**
   * The conversation's state at the end of a run's days, for a later run (src/history). The open
   * session is kept too: a shop message after midnight moves the conversation to the new day, and
   * a buyer message after it still joins that session (RULES.md §1 Session).
   */
  saveState(slot: number): SegmenterState {
    const n = slot * NUMBERS;
    const o = slot * OBJECTS;
    const flags = this.numbers[n + FLAGS]!;
    return {
      round: this.objects[o + ROUND] as Round | null,
      sellerOpen: (flags & SELLER_OPEN) !== 0,
      withBot: (flags & WITH_BOT) !== 0,
      blacklisted: (flags & BLACKLISTED) !== 0,
      lastAccount: this.objects[o + LAST_ACCOUNT] as string | null,
      session: this.objects[o + SESSION] as Session | true | null,
      unanswered: (this.objects[o + UNANSWERED] as Session[] | null) ?? [],
      lastEligibleT: this.numbers[n + LAST_ELIGIBLE_T]!,
      lastEligibleDay: this.numbers[n + LAST_ELIGIBLE_DAY]!,
    };
  }

  restoreState(slot: number, state: SegmenterState): void {
    const n = slot * NUMBERS;
    const o = slot * OBJECTS;
    this.numbers[n + FLAGS] = (state.sellerOpen ? SELLER_OPEN : 0) | (state.withBot ? WITH_BOT : 0) | (state.blacklisted ? BLACKLISTED : 0);
    this.numbers[n + LAST_ELIGIBLE_T] = state.lastEligibleT;
    this.numbers[n + LAST_ELIGIBLE_DAY] = state.lastEligibleDay;
    this.objects[o + LAST_ACCOUNT] = state.lastAccount;
    this.objects[o + ROUND] = state.round;
    this.objects[o + SESSION] = state.session;
    this.objects[o + UNANSWERED] = state.unanswered.length > 0 ? state.unanswered : null;
  }

  /** `day` is the message's local day in the platform's zone. */
  push(slot: number, m: Message, day: number, rules: SegmentRules): void {
    const round = this.objects[slot * OBJECTS + ROUND] as Round | null;
    round?.messages?.push(m);
    if (m.type === 'blacklist') {
      this.numbers[slot * NUMBERS + FLAGS]! |= BLACKLISTED;
      if (round) round.blacklisted = true;
      return;
    }
    if (m.type === 'assign') {
      this.assign(slot, round, m, day, rules);
      return;
    }
    if (m.sender === 'buyer') this.buyerMessage(slot, round, m, day, rules);
    else this.shopMessage(slot, round, m, day, rules);
  }

  /** Close whatever is open in every conversation: the data has ended. */
  finish(): void {
    for (let slot = 0; slot < this.slots; slot++) {
      const o = slot * OBJECTS;
      if (this.objects[o + ROUND] !== null) this.closeRound(slot, null, 'end', null);
      this.objects[o + SESSION] = null;
      const unanswered = this.objects[o + UNANSWERED] as Session[] | null;
      if (unanswered === null) continue;
      for (const s of unanswered) this.emitSession(slot, s);
      this.objects[o + UNANSWERED] = null;
    }
  }

  private assign(slot: number, r: Round | null, m: Message, day: number, rules: SegmentRules): void {
    this.objects[slot * OBJECTS + LAST_ACCOUNT] = m.agent;
    this.numbers[slot * NUMBERS + FLAGS]! &= ~WITH_BOT;
    if (r && rules.assignRestarts) {
      r.start = m.t;
      r.startDay = day;
      r.restartedAt = m.t;
      r.receiver = m.agent;
      r.botHeld = false;
    }
  }

  private buyerMessage(slot: number, round: Round | null, m: Message, day: number, rules: SegmentRules): void {
    if (!rules.isQuestion(m)) return;
    const o = slot * OBJECTS;
    // A round never carries over to a later day on the buyer's side. It closes before this
    // message's receiving account becomes the conversation's last one.
    if (round && day > round.startDay) {
      this.closeRound(slot, null, 'new_day', m.t);
      round = null;
    }
    if (m.agent !== null) this.objects[o + LAST_ACCOUNT] = m.agent;
    this.sink.question(m, day, this.objects[o + LAST_ACCOUNT] as string | null);
    this.touchSession(slot, m, day, rules);
    const n = slot * NUMBERS;
    this.numbers[n + FLAGS]! &= ~SELLER_OPEN;
    if (round) {
      round.buyerMessages++;
      if (m.flags.includes('abusive')) round.abusive = true;
      return;
    }
    this.objects[o + ROUND] = {
      shop: this.shop,
      buyer: m.buyer,
      start: m.t,
      startDay: day,
      opening: m,
      restartedAt: null,
      buyerMessages: 1,
      receiver: m.agent,
      botHeld: (this.numbers[n + FLAGS]! & WITH_BOT) !== 0,
      blacklisted: (this.numbers[n + FLAGS]! & BLACKLISTED) !== 0,
      abusive: m.flags.includes('abusive'),
      reply: null,
      lastAccount: null,
      closedBy: 'end',
      closedAt: null,
      messages: this.collect ? [m] : null,
    } satisfies Round;
  }

  private shopMessage(slot: number, round: Round | null, m: Message, day: number, rules: SegmentRules): void {
    const valid = rules.isValidReply(m);
    const autoBot = m.sender === 'bot' && m.botMode === 'auto' && m.type !== 'auto_greeting';
    const n = slot * NUMBERS;
    const o = slot * OBJECTS;
    if (m.agent !== null) this.objects[o + LAST_ACCOUNT] = m.agent;
    this.numbers[n + LAST_ELIGIBLE_T] = m.t;
    this.numbers[n + LAST_ELIGIBLE_DAY] = day;
    if (!valid && !autoBot) return;
    if (valid) {
      this.sink.reply(m, day);
      const unanswered = this.objects[o + UNANSWERED] as Session[] | null;
      if (unanswered !== null) {
        for (const waiting of unanswered) {
          waiting.firstReply = m;
          this.emitSession(slot, waiting);
        }
        this.objects[o + UNANSWERED] = null;
      }
      this.numbers[n + FLAGS]! &= ~WITH_BOT;
      if (round) {
        this.closeRound(slot, m, 'reply', m.t);
        return;
      }
    } else {
      // An automatic bot answer: the conversation is with the bot from here.
      this.numbers[n + FLAGS]! |= WITH_BOT;
      if (round) {
        round.botHeld = true;
        return;
      }
    }
    if ((this.numbers[n + FLAGS]! & SELLER_OPEN) === 0) {
      this.numbers[n + FLAGS]! |= SELLER_OPEN;
      this.sink.sellerFirst({ shop: this.shop, buyer: m.buyer, t: m.t, day, agent: m.agent });
    }
  }

  private touchSession(slot: number, m: Message, day: number, rules: SegmentRules): void {
    const n = slot * NUMBERS;
    const o = slot * OBJECTS;
    const idle = m.t - this.numbers[n + LAST_ELIGIBLE_T]! >= rules.sessionGapMs;
    if (this.objects[o + SESSION] === null || idle || day !== this.numbers[n + LAST_ELIGIBLE_DAY]) {
      const session: Session = {
        shop: this.shop,
        buyer: m.buyer,
        start: m.t,
        startDay: day,
        opening: m,
        receiver: m.agent,
        firstReply: null,
        lastAccount: null,
        givenUpAt: null,
      };
      this.objects[o + SESSION] = session;
      this.giveUp(slot, m.t, rules);
      const unanswered = this.objects[o + UNANSWERED] as Session[] | null;
      if (unanswered === null) this.objects[o + UNANSWERED] = [session];
      else unanswered.push(session);
    }
    this.numbers[n + LAST_ELIGIBLE_T] = m.t;
    this.numbers[n + LAST_ELIGIBLE_DAY] = day;
  }

  /** Report sessions whose limit has passed without a reply: a later reply cannot save them. */
  private giveUp(slot: number, now: number, rules: SegmentRules): void {
    const unanswered = this.objects[slot * OBJECTS + UNANSWERED] as Session[] | null;
    if (unanswered === null) return;
    const keep: Session[] = [];
    for (const s of unanswered) {
      if (s.start + rules.sessionWaitMs < now) {
        s.givenUpAt = now;
        this.emitSession(slot, s);
      } else keep.push(s);
    }
    this.objects[slot * OBJECTS + UNANSWERED] = keep.length > 0 ? keep : null;
  }

  /** A session is reported once its first reply is known, or when the data ends. */
  private emitSession(slot: number, s: Session): void {
    const o = slot * OBJECTS;
    s.lastAccount = this.objects[o + LAST_ACCOUNT] as string | null;
    this.sink.session(s);
    if (this.objects[o + SESSION] === s) this.objects[o + SESSION] = true;
  }

  private closeRound(slot: number, reply: Message | null, closedBy: Round['closedBy'], at: number | null): void {
    const o = slot * OBJECTS;
    const r = this.objects[o + ROUND] as Round;
    r.reply = reply;
    r.closedBy = closedBy;
    r.closedAt = at;
    r.lastAccount = this.objects[o + LAST_ACCOUNT] as string | null;
    this.objects[o + ROUND] = null;
    this.sink.round(r);
  }
}
