import type { ShopDirectory } from '../ingest/read-chat.js';
import type { Message } from '../model.js';
import type { CounterState, ItemCounter } from '../metrics/item-counter.js';
import { COUNTERS, type MetricCounter } from '../metrics/registry.js';
import { RoundResponseCounter, type Verdict } from '../metrics/round-response.js';
import { SessionResponseCounter } from '../metrics/session-response.js';
import type { RuleSet } from '../rules/rule-set.js';
import { ConductChecker, QUIET_MS } from '../conduct/conduct-checker.js';
import { withRoom } from './columns.js';
import { ConversationIndex } from './conversation-index.js';
import { NameTable } from './name-table.js';
import { segmentRulesOf } from './conversation-rules.js';
import { sweepDue, sweepMark, swept } from './sweep.js';
import { conversationExclusion, isEvent, messageExclusion, reason } from './exclusions.js';
import { restedAccount, restedState, Segmenter, type Round, type SegmenterState, type SegmentSink, type SellerFirst, type Session } from './segmenter.js';

/** Per-day inbound and outbound activity: context for the rates, never assessed. */
export interface ActivityDay {
  /** Distinct buyers who asked something that day. */
  buyers: number;
  buyer_messages: number;
  shop_messages: number;
  rounds: number;
  seller_first_rounds: number;
  sessions: number;
}

/** What `cs-audit explain` collects for one buyer: messages with their fate, rounds and sessions with their verdicts. */
export type TraceEvent =
  | { kind: 'message'; shop: string; t: number; message: Message; disposition: string }
  | { kind: 'round'; metric: string; shop: string; t: number; round: Round; verdict: Verdict }
  | { kind: 'session'; metric: string; shop: string; t: number; session: Session; verdict: Verdict };

export interface Tracer {
  buyer: string;
  events: TraceEvent[];
}

export interface ShopAudit {
  shop: string;
  counters: Map<string, ItemCounter>;
  activity: Map<number, ActivityDay>;
  /** Messages that entered segmentation (questions, replies and other shop messages). */
  used: number;
  /** `assign` and `blacklist` events. */
  events: number;
  /** Evaluation rows given to the evaluation metrics. */
  evaluations: number;
  /** Messages dropped before segmentation, by reason. */
  excluded: Map<string, number>;
  /** The same, per input file (file name → used and excluded messages). */
  files: Map<string, FileAccounting>;
  /** What agents wrote (RULES.md §8); null with --no-conduct. */
  conduct: ConductChecker | null;
}

/** What became of one file's messages: used (questions, replies, events, evaluations) or excluded. */
export interface FileAccounting {
  used: number;
  excluded: Map<string, number>;
}

/** Quiet this long (and since an earlier local day), a conversation may rest: longer than the conduct checks' limits. */
const REST_AFTER_MS = QUIET_MS;
/**
 * The auditor's own numbers per slot: the last day the buyer was counted in `activity.buyers`
 * (NaN: none yet), and the time of the conversation's last message. That time is NaN for a free
 * slot, Infinity for a restored conversation and SETTLED for a settled one (see putToRest):
 * neither rests before its next message.
 */
const COUNTED_DAY = 0;
const LAST_T = 1;
const OWN = 2;
/** A settled conversation's LAST_T: it is not counted awake when a sweep is due. */
const SETTLED = Number.MAX_VALUE;

export interface SavedConversation {
  segmenter: SegmenterState;
  countedDay: number;
  lastT?: number;
}

/**
 * A conversation at rest as a saved state holds it, frozen: it can be shared by every buyer at
 * rest with the same last account (the engine reads a saved state and never keeps it:
 * Segmenter.restoreState copies), and a change would throw, not spread.
 */
export function savedAtRest(account: string | null, session: true | null = true): SavedConversation {
  const segmenter = restedState(account, session);
  Object.freeze(segmenter.unanswered);
  return Object.freeze({ segmenter: Object.freeze(segmenter), countedDay: Number.NaN, lastT: Infinity });
}

/**
 * A conversation at rest without a session (its data ended since it rested, see settleOpen): its
 * last account. One per account, shared; a conversation at rest with its session open in name is
 * its last account alone (a string, or null).
 */
class NoSession {
  constructor(readonly account: string | null) {}
}

/**
 * A shop's audit at the end of a run's days, before the end of the data decided anything:
 * what a later run restores to go on (src/history). Plain data (maps, arrays, messages).
 */
export interface ShopState {
  /**
   * lastT: when the conversation last had a message, so that it can rest in a later run (issue 8:
   * without it nothing restored ever rested, and a store's states grew by every buyer met);
   * Infinity when not known (not before it has a message again). Missing in states of @3 stores.
   */
  conversations: Map<string, SavedConversation>;
  counters: Map<string, CounterState>;
  activity: Map<number, ActivityDay>;
  used: number;
  events: number;
  evaluations: number;
  excluded: Map<string, number>;
  conduct?: ReturnType<ConductChecker['saveState']>;
}

/**
 * One shop's audit: exclusions → conversations → rounds and sessions → metric counters.
 * Fed the shop's messages in time order; its memory holds a row of state per conversation (see Segmenter).
 * Knows no platform: everything comes from `rules`.
 */
export class ShopAuditor {
  private readonly counters: MetricCounter[] = [];
  /**
   * Every buyer's conversation: awake, its slot in the rows (the segmenter's, the conduct
   * checker's and `own`); at rest, its last account, or a NoSession holding it when its session
   * ended at rest (see Segmenter.restingAccount, settleOpen).
   */
  private readonly conversations = new ConversationIndex<string | null | NoSession>();
  /** One NoSession per last account (see settleOpen). */
  private readonly noSession = new Map<string | null, NoSession>();
  private readonly segmenter: Segmenter;
  private own = new Float64Array(64 * OWN);
  /** Per slot, the number of its buyer in `conversations`. */
  private buyerIn = new Int32Array(64);
  /** Slots given back by conversations at rest, for the next ones opened. */
  private readonly free: number[] = [];
  /** When conversations were last put to rest, and how many stayed awake. */
  private readonly restMark = sweepMark();
  /** Conversations settled in their slot (see putToRest), until their next message. */
  private settled = 0;
  /**
   * See rememberJudged: buyers judged apart, by number if they have a conversation (`judged`
   * needs those only when judgedAll), by name if not.
   */
  private judgedApart: { numbers: Uint8Array; names: NameTable } | null = null;
  private judgedAll = false;
  /** The last file and day looked up (see fileOf, activityOn): nearly every message asks for them again. */
  private lastFile: { name: string | null; accounting: FileAccounting } = { name: null, accounting: { used: 0, excluded: new Map() } };
  private lastActivity: { day: number; activity: ActivityDay } = { day: Number.NaN, activity: { buyers: 0, buyer_messages: 0, shop_messages: 0, rounds: 0, seller_first_rounds: 0, sessions: 0 } };
  private readonly result: ShopAudit;
  private readonly sink: SegmentSink;

  constructor(
    readonly shop: string,
    private readonly rules: RuleSet,
    private readonly directory: ShopDirectory,
    /** Keep failed and pending items with their evidence (--details). */
    private readonly details = false,
    /** Follow one buyer's conversation message by message (cs-audit explain). */
    private readonly tracer: Tracer | null = null,
    /** Check what agents write (RULES.md §8); off with --no-conduct. */
    conduct = true,
    /** Put quiet conversations to rest (off only to test that resting changes nothing). */
    private readonly rests = true,
    /** A later run goes on from this audit's state (--history): its evidence is kept for it. */
    continued = false,
  ) {
    const byId = new Map<string, ItemCounter>();
    for (const id of rules.metricIds()) {
      const kind = rules.latestMetric(id).kind;
      if (kind === 'online_hours' || kind === 'review_reply') continue;
      const counter = COUNTERS[kind](id, rules);
      if (details) counter.details = [];
      counter.keepsEvidence = details || continued;
      if (tracer !== null && counter instanceof RoundResponseCounter) {
        counter.trace = (r, v) => {
          if (r.buyer === tracer.buyer) tracer.events.push({ kind: 'round', metric: id, shop, t: r.opening.t, round: r, verdict: v });
        };
      }
      if (tracer !== null && counter instanceof SessionResponseCounter) {
        counter.trace = (x, v) => {
          if (x.buyer === tracer.buyer) tracer.events.push({ kind: 'session', metric: id, shop, t: x.opening.t, session: x, verdict: v });
        };
      }
      this.counters.push(counter);
      byId.set(id, counter);
    }
    const checker = conduct ? new ConductChecker(shop, rules.pack.conduct, rules.zone) : null;
    this.result = { shop, counters: byId, activity: new Map(), used: 0, events: 0, evaluations: 0, excluded: new Map(), files: new Map(), conduct: checker };
    this.sink = {
      question: (m, day, lastAccount) => {
        for (const c of this.counters) c.question?.(m, day, lastAccount);
      },
      reply: (m, day) => {
        for (const c of this.counters) c.reply?.(m, day);
      },
      round: (r: Round) => {
        this.activityOn(r.startDay).rounds++;
        for (const c of this.counters) c.round?.(r);
      },
      sellerFirst: (s: SellerFirst) => {
        this.activityOn(s.day).seller_first_rounds++;
      },
      session: (s: Session) => {
        this.activityOn(s.startDay).sessions++;
        for (const c of this.counters) c.session?.(s);
      },
    };
    this.segmenter = new Segmenter(shop, this.sink, details);
  }

  push(m: Message): void {
    const day = this.rules.zone.dayOf(m.t);
    if (this.rests && sweepDue(this.restMark, day, this.awakeCount())) {
      this.putToRest(m.t, day);
      swept(this.restMark, day, this.awakeCount());
    }
    if (this.tracer !== null && m.buyer === this.tracer.buyer) {
      const before = this.result.used + this.result.events + this.result.evaluations;
      const excludedBefore = new Map(this.result.excluded);
      this.pushOne(m, day);
      const used = this.result.used + this.result.events + this.result.evaluations > before;
      let reason = 'used';
      if (!used) for (const [k, v] of this.result.excluded) if (v !== (excludedBefore.get(k) ?? 0)) reason = `excluded: ${k}`;
      this.tracer.events.push({ kind: 'message', shop: this.shop, t: m.t, message: m, disposition: reason });
      return;
    }
    this.pushOne(m, day);
  }

  private pushOne(m: Message, day: number): void {
    if (this.judgedAll) this.judgeApart(m.buyer);
    const version = this.rules.versionAt(day);
    const conversationReason = conversationExclusion(this.shop, m.buyer, this.directory, version);
    if (conversationReason !== null) {
      if (this.judgedApart !== null) this.judgeApart(m.buyer);
      this.exclude(conversationReason, m);
      return;
    }
    if (m.type === 'evaluation') {
      if (this.judgedApart !== null) this.judgeApart(m.buyer);
      // An evaluation is no message of the conversation; only a recall or a flag voids it.
      const reason = m.recalled && version.exclude.recalled.value ? 'recalled' : flagExclusion(m, version.exclude.flags);
      if (reason !== null) this.exclude(reason, m);
      else {
        this.result.evaluations++;
        this.fileOf(m).used++;
        for (const c of this.counters) c.evaluation?.(m, day);
      }
      return;
    }
    const n = this.conversations.find(m.buyer);
    const held = n < 0 ? -1 : this.conversations.slotOf(n);
    const slot = held >= 0 ? held : n < 0 ? this.open(this.conversations.add(m.buyer), undefined) : this.open(n, this.conversations.restOf(n));
    if (this.own[slot * OWN + LAST_T] === SETTLED) this.settled--;
    this.own[slot * OWN + LAST_T] = m.t;
    const segmentRules = segmentRulesOf(version);
    if (isEvent(m)) {
      this.result.events++;
      this.fileOf(m).used++;
      this.segmenter.push(slot, m, day, segmentRules);
      return;
    }
    // What the shop writes to a customer is checked whatever the metrics make of it (a recalled
    // message was still sent); any buyer message answers the shop's messages before it.
    if (m.sender === 'buyer') this.result.conduct?.buyerMessage(m, slot);
    else if (m.sender === 'agent' || m.sender === 'bot') this.result.conduct?.shopMessage(m, slot);
    const excluded = messageExclusion(m, version);
    if (excluded !== null) {
      this.exclude(excluded, m);
      return;
    }
    if (m.sender === 'buyer' && !segmentRules.isQuestion(m)) {
      this.exclude(reason('not_a_question', m.type), m);
      return;
    }
    this.result.used++;
    this.fileOf(m).used++;
    const a = this.activityOn(day);
    if (m.sender === 'buyer') {
      a.buyer_messages++;
      if (this.own[slot * OWN + COUNTED_DAY] !== day) {
        this.own[slot * OWN + COUNTED_DAY] = day;
        a.buyers++;
      }
    } else a.shop_messages++;
    this.segmenter.push(slot, m, day, segmentRules);
  }

  /**
   * The buyer's conversation in a slot: a new one, or one at rest woken up (`rested`: its last
   * account, with its session open in name, or a NoSession; undefined: none).
   */
  private open(n: number, rested: string | null | NoSession | undefined): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.segmenter.open();
      this.own = withRoom(this.own, (slot + 1) * OWN);
      this.buyerIn = withRoom(this.buyerIn, slot + 1);
    } else this.segmenter.reuse(slot);
    this.buyerIn[slot] = n;
    this.conversations.inSlot(n, slot);
    this.result.conduct?.open(slot);
    this.own[slot * OWN + COUNTED_DAY] = Number.NaN;
    this.own[slot * OWN + LAST_T] = -Infinity;
    if (rested instanceof NoSession) this.segmenter.wake(slot, rested.account, false);
    else if (rested !== undefined) this.segmenter.wake(slot, rested);
    return slot;
  }

  /**
   * Conversations quiet since before `now - REST_AFTER_MS`, and since a day before today, with
   * nothing open, forget the times that no longer matter (the segmenter's and the conduct
   * checker's, and the day their buyer was last counted: its next message is on a later day).
   * Those with nothing else to keep but their last account rest: they give their slot back
   * (issue 8: memory follows open conversations, not every buyer met). The others stay in their
   * slot, settled until their next message.
   */
  private putToRest(now: number, today: number): void {
    const zone = this.rules.zone;
    for (let slot = 0; slot < this.segmenter.size; slot++) {
      const lastT = this.own[slot * OWN + LAST_T]!;
      // A free slot's NaN, a settled one's SETTLED and the Infinity of one restored without its time never rest.
      if (!(now - lastT > REST_AFTER_MS) || zone.dayOf(lastT) >= today) continue;
      if (!this.segmenter.settle(slot)) continue;
      const n = this.buyerIn[slot]!;
      const buyer = this.conversations.buyerOf(n);
      const found = this.result.conduct?.settle(slot, buyer, now) ?? false;
      this.own[slot * OWN + COUNTED_DAY] = Number.NaN;
      const account = found ? undefined : this.segmenter.restingAccount(slot);
      if (account === undefined) {
        this.own[slot * OWN + LAST_T] = SETTLED;
        this.settled++;
        continue;
      }
      this.conversations.atRest(n, this.segmenter.sessionOpenInName(slot) ? account : this.withoutSession(account));
      this.own[slot * OWN + LAST_T] = Number.NaN;
      this.free.push(slot);
    }
  }

  /**
   * Before the state is saved for a later run whose data starts at `next` (the day after this
   * run's days): the conversations that would rest at a sweep then rest now, so that the state
   * keeps them as a buyer and an account (state-codec.ts), not whole. Resting changes no number
   * (test/rules/conversation-rest.test.ts), and nothing this run feeds comes at or after `next`.
   */
  restBefore(next: number): void {
    if (!this.rests) return;
    const day = this.rules.zone.dayOf(next);
    this.putToRest(next, day);
    swept(this.restMark, day, this.awakeCount());
  }

  private withoutSession(account: string | null): NoSession {
    let rest = this.noSession.get(account);
    if (rest === undefined) this.noSession.set(account, (rest = new NoSession(account)));
    return rest;
  }

  /** Conversations in a slot that may rest at the next sweep (neither free nor settled). */
  private awakeCount(): number {
    return this.segmenter.size - this.free.length - this.settled;
  }

  /** The buyers awake and their slots. */
  private awake(): [string, number][] {
    const out: [string, number][] = [];
    for (let n = 0; n < this.conversations.size; n++) {
      const slot = this.conversations.slotOf(n);
      if (slot >= 0) out.push([this.conversations.buyerOf(n), slot]);
    }
    return out;
  }

  /**
   * The state to continue from on a later day (see ShopState). Taken before finish(): nothing
   * the end of this run's data would decide (pending items) is in it.
   */
  saveState(): ShopState {
    const r = this.result;
    // Most of a month's buyers are at rest: one saved state per last account (and session), not per buyer.
    const rested = new Map<string | null | NoSession, SavedConversation>();
    const atRest = (rest: string | null | NoSession): SavedConversation => {
      let saved = rested.get(rest);
      if (saved === undefined) rested.set(rest, (saved = rest instanceof NoSession ? savedAtRest(rest.account, null) : savedAtRest(rest)));
      return saved;
    };
    return {
      conversations: new Map(
        Array.from({ length: this.conversations.size }, (_, n): [string, SavedConversation] => {
          const c = this.conversations.slotOf(n);
          return [
            this.conversations.buyerOf(n),
            c >= 0
              ? { segmenter: this.segmenter.saveState(c), countedDay: this.own[c * OWN + COUNTED_DAY]!, lastT: this.own[c * OWN + LAST_T]! }
              : atRest(this.conversations.restOf(n)!),
          ];
        }),
      ),
      counters: new Map([...r.counters].map(([id, c]) => [id, c.saveState()])),
      activity: r.activity,
      used: r.used,
      events: r.events,
      evaluations: r.evaluations,
      excluded: r.excluded,
      ...(r.conduct ? { conduct: r.conduct.saveState(this.awake()) } : {}),
    };
  }

  /**
   * Go on from a saved state; this run's file accounting starts empty. `savedEnd`: the end of the
   * data of the run that saved it, for conversations saved without their last message's time
   * (@3 stores): it was no later than that.
   */
  restoreState(state: ShopState, savedEnd = Infinity): void {
    for (const [buyer, saved] of state.conversations) {
      // A conversation saved at rest (as woken, with no day counted and no conduct state) rests again.
      const account = restedAccount(saved.segmenter);
      const n = this.conversations.add(buyer);
      if (this.rests && account !== undefined && Number.isNaN(saved.countedDay) && state.conduct?.conversations.has(buyer) !== true) {
        this.conversations.atRest(n, saved.segmenter.session === true ? account : this.withoutSession(account));
        continue;
      }
      const slot = this.open(n, undefined);
      this.segmenter.restoreState(slot, saved.segmenter);
      this.own[slot * OWN + COUNTED_DAY] = saved.countedDay;
      const lastT = saved.lastT ?? savedEnd;
      this.own[slot * OWN + LAST_T] = lastT;
      if (lastT === SETTLED) this.settled++;
    }
    const r = this.result;
    for (const [id, c] of r.counters) {
      const saved = state.counters.get(id);
      if (saved) c.restoreState(saved);
      // Evidence is kept from the runs that asked for it (--details), not invented for the others.
      if (this.details && c.details === null) c.details = [];
      if (!this.details) c.details = null;
    }
    for (const [day, a] of state.activity) r.activity.set(day, { ...a });
    this.lastActivity = { day: Number.NaN, activity: this.lastActivity.activity };
    r.used = state.used;
    r.events = state.events;
    r.evaluations = state.evaluations;
    for (const [reason, n] of state.excluded) r.excluded.set(reason, n);
    if (r.conduct && state.conduct) {
      r.conduct.restoreState(state.conduct, (buyer) => {
        const n = this.conversations.find(buyer);
        const slot = n < 0 ? -1 : this.conversations.slotOf(n);
        return slot >= 0 ? slot : undefined;
      });
    }
  }

  /**
   * The data this state came from ended at `dataEnd` and the days after it are missing: what was
   * still waiting for a reply is decided as at that end (pending, or failed if its limit had
   * passed), never with later data that skipped the missing days. Evaluation cards stay open.
   */
  settleOpen(dataEnd: number): void {
    this.segmenter.finish();
    // As the end of the data leaves every conversation in a slot without a session, so it leaves
    // those at rest: a shop message after the gap opens nothing a buyer could join.
    for (let n = 0; n < this.conversations.size; n++) {
      const rest = this.conversations.restOf(n);
      if (rest !== undefined && !(rest instanceof NoSession)) this.conversations.atRest(n, this.withoutSession(rest));
    }
    for (const c of this.counters) c.settleAt?.(dataEnd);
  }

  /**
   * From now on, remember the buyers whose messages are judged without a conversation
   * (evaluations, conversations excluded whole), so that `judged` knows them too (one pass over
   * the input learns a shop's accounts as it goes). `restored`: the auditor holds conversations
   * of earlier runs (a history), which this run has not judged: every buyer fed from now on is
   * remembered instead, and only those count.
   */
  rememberJudged(restored = false): void {
    this.judgedApart ??= { numbers: new Uint8Array(16), names: new NameTable() };
    this.judgedAll = restored;
  }

  /** Whether a message of this buyer was judged already (see rememberJudged). */
  judged(buyer: string): boolean {
    const n = this.conversations.find(buyer);
    const apart = this.judgedApart!;
    if (n >= 0 && (!this.judgedAll || (n < apart.numbers.length && apart.numbers[n] === 1))) return true;
    return apart.names.find(buyer) >= 0;
  }

  private judgeApart(buyer: string): void {
    const apart = this.judgedApart!;
    const n = this.conversations.find(buyer);
    if (n < 0) apart.names.add(buyer);
    else if (this.judgedAll) {
      apart.numbers = withRoom(apart.numbers, n + 1);
      apart.numbers[n] = 1;
    }
  }

  /** Buyers with a conversation so far (e.g. to tell whether a newly known merchant was counted before). */
  hasConversation(buyer: string): boolean {
    return this.conversations.find(buyer) >= 0;
  }

  /** Close every conversation and decide what waited for the end of the data. */
  finish(dataEnd: number): ShopAudit {
    this.segmenter.finish();
    for (const c of this.counters) c.finish(dataEnd);
    return this.result;
  }

  private exclude(reason: string, m: Message): void {
    this.result.excluded.set(reason, (this.result.excluded.get(reason) ?? 0) + 1);
    const excluded = this.fileOf(m).excluded;
    excluded.set(reason, (excluded.get(reason) ?? 0) + 1);
  }

  private fileOf(m: Message): FileAccounting {
    // Messages come file after file (or merged from a few): the last one found is asked again.
    if (m.origin.file === this.lastFile.name) return this.lastFile.accounting;
    let f = this.result.files.get(m.origin.file);
    if (!f) this.result.files.set(m.origin.file, (f = { used: 0, excluded: new Map() }));
    this.lastFile = { name: m.origin.file, accounting: f };
    return f;
  }

  private activityOn(day: number): ActivityDay {
    if (day === this.lastActivity.day) return this.lastActivity.activity;
    let a = this.result.activity.get(day);
    if (!a) {
      a = { buyers: 0, buyer_messages: 0, shop_messages: 0, rounds: 0, seller_first_rounds: 0, sessions: 0 };
      this.result.activity.set(day, a);
    }
    this.lastActivity = { day, activity: a };
    return a;
  }
}

function flagExclusion(m: Message, excluded: readonly { value: string }[]): string | null {
  for (const flag of m.flags) if (excluded.some((c) => c.value === flag)) return reason('flag', flag);
  return null;
}
