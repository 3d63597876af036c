import type { Message } from '../model.js';

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

/**
 * What a conversation at rest keeps: nothing is open (no round, no session waiting for its first
 * reply), and it rests only since an earlier local day, so only these still matter. The session
 * stays open in name: a shop message on a later day moves the conversation to that day, and a
 * buyer message soon after still joins it (RULES.md §1 Session). When the session was last
 * touched does not matter: the next message either moves the conversation to its own day (a shop
 * message) or is a buyer's on a later day, which opens a new session anyway.
 */
export interface RestState {
  lastAccount: string | null;
  blacklisted: boolean;
  withBot: boolean;
  sellerOpen: boolean;
  sessionOpen: boolean;
}

/** What a segmenter is built with: not state (see saveState). */
const NOT_STATE = new Set(['shop', 'buyer', 'sink', 'collect']);

/**
 * One conversation's state machine. Fed eligible messages and events in time order; emits
 * rounds, seller-first rounds and sessions as they close.
 */
export class ConversationSegmenter {
  private round: Round | null = null;
  private sellerOpen = false;
  private withBot = false;
  private blacklisted = false;
  private lastAccount: string | null = null;
  /**
   * The session buyer messages join, until the conversation idles or the date changes; `true`
   * once it is reported (its first reply known), when all that matters is that one is open: a
   * conversation at rest does not hold its last messages.
   */
  private session: Session | true | null = null;
  /** Sessions still waiting for their first valid reply (a reply answers every one of them). */
  private unanswered: Session[] = [];
  private lastEligibleT = -Infinity;
  private lastEligibleDay = Number.NaN;

  constructor(
    private readonly shop: string,
    private buyer: string,
    private readonly sink: SegmentSink,
    /** Keep each round's messages, for evidence (--details). */
    private readonly collect = false,
  ) {}

  /**
   * The conversation's state at the end of a run's days, for a later run (src/history): every
   * field but what the segmenter is built with. The open session is kept too: a shop message
   * after midnight moves the conversation to the new day, and a buyer message after it still
   * joins that session (RULES.md §1 Session).
   */
  saveState(): Record<string, unknown> {
    const state: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) if (!NOT_STATE.has(key)) state[key] = value;
    return state;
  }

  restoreState(state: Record<string, unknown>): void {
    Object.assign(this, state);
  }

  /** The state to keep while the conversation rests, or null when something is still open. */
  rest(): RestState | null {
    // A session still open at rest has been reported (it is `true`): only waiting ones are objects.
    if (this.round !== null || this.unanswered.length > 0 || (this.session !== null && this.session !== true)) return null;
    return {
      lastAccount: this.lastAccount,
      blacklisted: this.blacklisted,
      withBot: this.withBot,
      sellerOpen: this.sellerOpen,
      sessionOpen: this.session === true,
    };
  }

  /**
   * Start again as a new conversation with `buyer`: a segmenter that was put to rest is used
   * again (issue 8: a month of conversations made the collector move a segmenter per buyer visit
   * to the old generation). Every field as the constructor leaves it (a test compares the two).
   */
  reuse(buyer: string): void {
    this.buyer = buyer;
    this.round = null;
    this.sellerOpen = false;
    this.withBot = false;
    this.blacklisted = false;
    this.lastAccount = null;
    this.session = null;
    this.unanswered = [];
    this.lastEligibleT = -Infinity;
    this.lastEligibleDay = Number.NaN;
  }

  /** Go on from a rest state (a fresh segmenter given what the rested one kept). */
  wake(state: RestState): void {
    this.lastAccount = state.lastAccount;
    this.blacklisted = state.blacklisted;
    this.withBot = state.withBot;
    this.sellerOpen = state.sellerOpen;
    this.session = state.sessionOpen ? true : null;
  }

  /** `day` is the message's local day in the platform's zone. */
  push(m: Message, day: number, rules: SegmentRules): void {
    this.round?.messages?.push(m);
    if (m.type === 'blacklist') {
      this.blacklisted = true;
      if (this.round) this.round.blacklisted = true;
      return;
    }
    if (m.type === 'assign') {
      this.assign(m, day, rules);
      return;
    }
    if (m.sender === 'buyer') this.buyerMessage(m, day, rules);
    else this.shopMessage(m, day, rules);
  }

  /** Close whatever is open: the data has ended. */
  finish(): void {
    if (this.round) this.closeRound(null, 'end', null);
    this.session = null;
    for (const s of this.unanswered) this.emitSession(s);
    this.unanswered = [];
  }

  private assign(m: Message, day: number, rules: SegmentRules): void {
    this.lastAccount = m.agent;
    this.withBot = false;
    const r = this.round;
    if (r && rules.assignRestarts) {
      r.start = m.t;
      r.startDay = day;
      r.restartedAt = m.t;
      r.receiver = m.agent;
      r.botHeld = false;
    }
  }

  private buyerMessage(m: Message, day: number, rules: SegmentRules): void {
    if (!rules.isQuestion(m)) return;
    // A round never carries over to a later day on the buyer's side. It closes before this
    // message's receiving account becomes the conversation's last one.
    if (this.round && day > this.round.startDay) this.closeRound(null, 'new_day', m.t);
    if (m.agent !== null) this.lastAccount = m.agent;
    this.sink.question(m, day, this.lastAccount);
    this.touchSession(m, day, rules);
    this.sellerOpen = false;
    if (this.round) {
      this.round.buyerMessages++;
      if (m.flags.includes('abusive')) this.round.abusive = true;
      return;
    }
    this.round = {
      shop: this.shop,
      buyer: this.buyer,
      start: m.t,
      startDay: day,
      opening: m,
      restartedAt: null,
      buyerMessages: 1,
      receiver: m.agent,
      botHeld: this.withBot,
      blacklisted: this.blacklisted,
      abusive: m.flags.includes('abusive'),
      reply: null,
      lastAccount: null,
      closedBy: 'end',
      closedAt: null,
      messages: this.collect ? [m] : null,
    };
  }

  private shopMessage(m: Message, day: number, rules: SegmentRules): void {
    const valid = rules.isValidReply(m);
    const autoBot = m.sender === 'bot' && m.botMode === 'auto' && m.type !== 'auto_greeting';
    if (m.agent !== null) this.lastAccount = m.agent;
    this.lastEligibleT = m.t;
    this.lastEligibleDay = day;
    if (!valid && !autoBot) return;
    if (valid) {
      this.sink.reply(m, day);
      for (const waiting of this.unanswered) {
        waiting.firstReply = m;
        this.emitSession(waiting);
      }
      this.unanswered = [];
      this.withBot = false;
      if (this.round) {
        this.closeRound(m, 'reply', m.t);
        return;
      }
    } else {
      // An automatic bot answer: the conversation is with the bot from here.
      this.withBot = true;
      if (this.round) {
        this.round.botHeld = true;
        return;
      }
    }
    if (!this.sellerOpen) {
      this.sellerOpen = true;
      this.sink.sellerFirst({ shop: this.shop, buyer: this.buyer, t: m.t, day, agent: m.agent });
    }
  }

  private touchSession(m: Message, day: number, rules: SegmentRules): void {
    const idle = m.t - this.lastEligibleT >= rules.sessionGapMs;
    if (!this.session || idle || day !== this.lastEligibleDay) {
      const session: Session = {
        shop: this.shop,
        buyer: this.buyer,
        start: m.t,
        startDay: day,
        opening: m,
        receiver: m.agent,
        firstReply: null,
        lastAccount: null,
        givenUpAt: null,
      };
      this.session = session;
      this.giveUp(m.t, rules);
      this.unanswered.push(session);
    }
    this.lastEligibleT = m.t;
    this.lastEligibleDay = day;
  }

  /** Report sessions whose limit has passed without a reply: a later reply cannot save them. */
  private giveUp(now: number, rules: SegmentRules): void {
    if (this.unanswered.length === 0) return;
    const keep: Session[] = [];
    for (const s of this.unanswered) {
      if (s.start + rules.sessionWaitMs < now) {
        s.givenUpAt = now;
        this.emitSession(s);
      } else keep.push(s);
    }
    this.unanswered = keep;
  }

  /** A session is reported once its first reply is known, or when the data ends. */
  private emitSession(s: Session): void {
    s.lastAccount = this.lastAccount;
    this.sink.session(s);
    if (this.session === s) this.session = true;
  }

  private closeRound(reply: Message | null, closedBy: Round['closedBy'], at: number | null): void {
    const r = this.round!;
    r.reply = reply;
    r.closedBy = closedBy;
    r.closedAt = at;
    r.lastAccount = this.lastAccount;
    this.round = null;
    this.sink.round(r);
  }
}
