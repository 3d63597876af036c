import type { Message } from '../model.js';
import { UNASSIGNED } from '../model.js';
import type { BuyerDailyMetric } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { ItemDetail } from '../report/model.js';
import { localTime } from '../time/local.js';
import { clockToMs, dayToIso } from '../time/zone.js';
import { sweepDue, sweepMark, swept } from '../engine/sweep.js';
import { withRoom } from '../engine/columns.js';
import { ItemCounter, type CounterState } from './item-counter.js';
import { isPending, wholeSeconds } from './timing.js';

/** One buyer on one day: what is known so far. */
interface BuyerDay {
  day: number;
  buyer: string;
  /**
   * The day's first question in the window, and why the day failed: evidence, kept only when it
   * may be asked for (see ItemCounter.keepsEvidence).
   */
  first: Message | null;
  why: string | null;
  replyT: number | null;
  failed: boolean;
  /** The account the outcome is attributed to (see attribution below). */
  agent: string | null;
  /** A question of this day still waits for its reply. */
  waiting: { t: number; receiver: string | null; message: Message | null } | null;
  /** The question that decided a failure (for evidence). */
  failed_question: Message | null;
  /** any_reply_same_day: a valid reply came after the day's first question. */
  replied: boolean;
}

/** A buyer's days still open, in day order: the shape saved in history stores. */
type BuyerState = BuyerDay[];

/**
 * A buyer's latest open day is kept in a row of columns (issue 8: an array, a day and a waiting
 * question as objects per buyer made this counter the slowest part of taojiji's engine); earlier
 * days still waiting for a reply, which are few, stay objects (`older`). The rules below read and
 * write BuyerDay objects: the latest day is loaded into one reused object and stored back.
 */
const NUM = 4;
const DAY = 0;
const WAIT_T = 1;
const REPLY_T = 2;
const BITS = 3;
const FAILED = 1;
const REPLIED = 2;
const WAITING = 4;
const OBJ = 6;
const AGENT = 0;
const RECEIVER = 1;
const FIRST = 2;
const WAIT_MESSAGE = 3;
const FAILED_QUESTION = 4;
const WHY = 5;

/**
 * Per-buyer daily metrics (unit buyer): a buyer who asked something on day D (in the metric's
 * window) is a consulting buyer of D, and passes when
 * - `every_message_within` (e.g. 有效回复率): every such question got a valid reply within the
 *   threshold: for each, the first valid reply after it (the earliest unanswered question binds);
 * - `any_reply_same_day` (e.g. 回复率): a valid reply came after the first question of D, on D.
 * Attribution: a failing buyer-day to the account that decided the failure (the late replier, or
 * the receiver of the unanswered question), a passing one to the account of the last deciding reply.
 */
export class BuyerDayCounter extends ItemCounter {
  /** Each buyer with an open day: its row. */
  #rowOf = new Map<string, number>();
  /** Per row: DAY (NaN: no latest day), WAIT_T, REPLY_T (NaN: null), BITS. */
  #num = new Float64Array(64 * NUM);
  /** Per row: AGENT, RECEIVER (the waiting question's), FIRST, WAIT_MESSAGE, FAILED_QUESTION, WHY. */
  #obj: (string | Message | null)[] = [];
  #buyerOf: string[] = [];
  /** Per row: earlier days still waiting, in day order, or null. */
  #older: (BuyerDay[] | null)[] = [];
  #freeRows: number[] = [];
  /** The object a row's latest day is loaded into (see load). */
  readonly #view: BuyerDay = { day: 0, buyer: '', first: null, why: null, replyT: null, failed: false, agent: null, waiting: null, failed_question: null, replied: false };
  readonly #viewWaiting: NonNullable<BuyerDay['waiting']> = { t: 0, receiver: null, message: null };
  /** When buyer-days were last decided in bulk (see decideQuiet), and how many buyers stayed. */
  private readonly decidedMark = sweepMark();

  constructor(
    readonly metricId: string,
    private readonly rules: RuleSet,
  ) {
    super();
  }

  private ruleAt(day: number): BuyerDailyMetric | null {
    const rule = this.rules.metricAt(this.metricId, day);
    return rule !== null && rule.kind === 'buyer_daily' ? rule : null;
  }

  question(m: Message, day: number, lastAccount: string | null): void {
    if (sweepDue(this.decidedMark, day, this.#rowOf.size)) this.decideQuiet(day);
    const rule = this.ruleAt(day);
    if (rule === null) return;
    const tod = this.rules.zone.timeOfDayMs(m.t);
    if (tod < clockToMs(rule.window.from)! || tod >= clockToMs(rule.window.to)!) return;
    const row = this.rowFor(m.buyer);
    this.settleBefore(row, day);
    // Days before this one are decided or still waiting; this day, if open, is the latest (a
    // shop's messages come in time order: an earlier day never follows a later one here).
    let bd = this.load(row);
    if (bd === null || bd.day !== day) {
      if (bd !== null) (this.#older[row] ??= []).push(copyDay(bd));
      bd = this.#view;
      Object.assign(bd, { day, buyer: this.#buyerOf[row]!, failed: false, agent: null, waiting: null, replied: false, first: this.keepsEvidence ? m : null, why: null, replyT: null, failed_question: null });
    }
    if (bd.waiting === null && !(rule.rule.value === 'any_reply_same_day' && bd.replied)) {
      bd.waiting = Object.assign(this.#viewWaiting, { t: m.t, receiver: m.agent ?? lastAccount, message: this.keepsEvidence ? m : null });
    }
    this.store(row, bd);
  }

  reply(m: Message, day: number): void {
    const row = this.#rowOf.get(m.buyer);
    if (row === undefined) return;
    for (const bd of this.#older[row] ?? []) this.answer(bd, m, day);
    const latest = this.load(row);
    if (latest !== null && latest.waiting !== null) {
      this.answer(latest, m, day);
      this.store(row, latest);
    }
    this.settleBefore(row, day);
  }

  /** A valid reply `m` on `day`, for one open day of its buyer. */
  private answer(bd: BuyerDay, m: Message, day: number): void {
    if (bd.waiting === null) return;
    const rule = this.ruleAt(bd.day)!;
    if (rule.rule.value === 'any_reply_same_day') {
      if (day !== bd.day) return;
      bd.replied = true;
      bd.agent = m.agent ?? bd.waiting.receiver;
      bd.waiting = null;
      return;
    }
    const delay = wholeSeconds(bd.waiting.t, m.t);
    const late = delay > rule.threshold_seconds!.value;
    if (late && !bd.failed) {
      bd.failed = true;
      bd.agent = m.agent ?? bd.waiting.receiver;
      if (this.keepsEvidence) {
        bd.why = `a question at ${localTime(bd.waiting.t, this.rules.zone)} got its first reply after ${delay} s, over the ${rule.threshold_seconds!.value} s limit [${rule.threshold_seconds!.source}]`;
      }
      bd.replyT = m.t;
      bd.failed_question = bd.waiting.message;
    } else if (!bd.failed) bd.agent = m.agent ?? bd.waiting.receiver;
    bd.waiting = null;
  }

  private evidence(bd: BuyerDay, reason: string): Omit<ItemDetail, 'metric' | 'outcome' | 'agent'> {
    const zone = this.rules.zone;
    // The question that decided it: the failing one, else (pending) the one still waiting.
    const q = bd.failed_question ?? bd.waiting?.message ?? bd.first;
    return {
      date: dayToIso(bd.day),
      buyer: bd.buyer,
      start: q === null ? '' : localTime(q.t, zone),
      text: q?.content ?? '',
      reply_time: bd.replyT === null ? null : localTime(bd.replyT, zone),
      delay_seconds: bd.replyT === null || q === null ? null : wholeSeconds(q.t, bd.replyT),
      reason,
      origin: q?.origin ?? null,
    };
  }

  /** Decide what is still open: pending when its deadline lies after the end of the data. */
  /** The data stops here for good (a missing export follows): decide what waits, as at its end. */
  settleAt(dataEnd: number): void {
    this.finish(dataEnd);
  }

  finish(dataEnd: number): void {
    for (const row of this.#rowOf.values()) {
      for (const bd of this.#older[row] ?? []) this.settle(bd, dataEnd);
      const latest = this.load(row);
      if (latest !== null) this.settle(latest, dataEnd);
    }
    this.#rowOf.clear();
    this.#num = new Float64Array(64 * NUM);
    this.#obj = [];
    this.#buyerOf = [];
    this.#older = [];
    this.#freeRows = [];
  }

  /** The buyer's row, a new one (with no day) if the buyer has none. */
  private rowFor(buyer: string): number {
    let row = this.#rowOf.get(buyer);
    if (row !== undefined) return row;
    row = this.#freeRows.pop();
    if (row === undefined) {
      row = this.#buyerOf.length;
      this.#buyerOf.push(buyer);
      this.#older.push(null);
      for (let i = 0; i < OBJ; i++) this.#obj.push(null);
      this.#num = withRoom(this.#num, (row + 1) * NUM);
    } else {
      this.#buyerOf[row] = buyer;
      this.#older[row] = null;
    }
    this.#num[row * NUM + DAY] = Number.NaN;
    this.#rowOf.set(buyer, row);
    return row;
  }

  /** The row's latest day, in the reused view object; null when it has none. */
  private load(row: number): BuyerDay | null {
    const n = row * NUM;
    const day = this.#num[n + DAY]!;
    if (Number.isNaN(day)) return null;
    const o = row * OBJ;
    const bits = this.#num[n + BITS]!;
    const replyT = this.#num[n + REPLY_T]!;
    const v = this.#view;
    v.day = day;
    v.buyer = this.#buyerOf[row]!;
    v.first = this.#obj[o + FIRST] as Message | null;
    v.why = this.#obj[o + WHY] as string | null;
    v.replyT = Number.isNaN(replyT) ? null : replyT;
    v.failed = (bits & FAILED) !== 0;
    v.agent = this.#obj[o + AGENT] as string | null;
    v.failed_question = this.#obj[o + FAILED_QUESTION] as Message | null;
    v.replied = (bits & REPLIED) !== 0;
    if ((bits & WAITING) === 0) v.waiting = null;
    else {
      const w = this.#viewWaiting;
      w.t = this.#num[n + WAIT_T]!;
      w.receiver = this.#obj[o + RECEIVER] as string | null;
      w.message = this.#obj[o + WAIT_MESSAGE] as Message | null;
      v.waiting = w;
    }
    return v;
  }

  /** A day as the row's latest (null: none). */
  private store(row: number, bd: BuyerDay | null): void {
    const n = row * NUM;
    const o = row * OBJ;
    if (bd === null) {
      this.#num[n + DAY] = Number.NaN;
      for (let i = 0; i < OBJ; i++) this.#obj[o + i] = null;
      return;
    }
    this.#num[n + DAY] = bd.day;
    this.#num[n + REPLY_T] = bd.replyT ?? Number.NaN;
    this.#num[n + BITS] = (bd.failed ? FAILED : 0) | (bd.replied ? REPLIED : 0) | (bd.waiting !== null ? WAITING : 0);
    this.#num[n + WAIT_T] = bd.waiting?.t ?? Number.NaN;
    this.#obj[o + AGENT] = bd.agent;
    this.#obj[o + RECEIVER] = bd.waiting?.receiver ?? null;
    this.#obj[o + FIRST] = bd.first;
    this.#obj[o + WAIT_MESSAGE] = bd.waiting?.message ?? null;
    this.#obj[o + FAILED_QUESTION] = bd.failed_question;
    this.#obj[o + WHY] = bd.why;
  }

  /** A buyer's open days, in day order (for the saved state). */
  private daysOf(row: number): BuyerState {
    const latest = this.load(row);
    return [...(this.#older[row] ?? []).map(copyDay), ...(latest === null ? [] : [copyDay(latest)])];
  }

  /** The state to go on from, with the buyers' open days in the shape history stores hold. */
  override saveState(): CounterState {
    // The rows are private fields: the generic state leaves them out.
    const state = super.saveState();
    state.fields.buyers = new Map([...this.#rowOf].map(([buyer, row]) => [buyer, this.daysOf(row)]));
    return state;
  }

  override restoreState(state: CounterState): void {
    const { buyers, ...fields } = state.fields as { buyers?: Map<string, BuyerState> };
    super.restoreState({ ...state, fields });
    // Buyers with no open day too: they count towards the next sweep, as they did when saved.
    for (const [buyer, days] of buyers ?? []) {
      const row = this.rowFor(buyer);
      if (days.length === 0) continue;
      if (days.length > 1) this.#older[row] = days.slice(0, -1).map(copyDay);
      this.store(row, copyDay(days[days.length - 1]!));
    }
  }

  /**
   * Record every buyer's days before `day` that nothing can change any more (issue 8: memory
   * follows what is open, not every buyer seen): a buyer-day without a waiting question is
   * decided once its day is over. Days still waiting stay: a late reply names the account.
   */
  private decideQuiet(day: number): void {
    for (const [buyer, row] of this.#rowOf) {
      this.settleBefore(row, day);
      if (this.#older[row] === null && Number.isNaN(this.#num[row * NUM + DAY]!)) {
        this.#rowOf.delete(buyer);
        this.#freeRows.push(row);
      }
    }
    swept(this.decidedMark, day, this.#rowOf.size);
  }

  /** Record the buyer's days before `day` that nothing can change any more. */
  private settleBefore(row: number, day: number): void {
    const older = this.#older[row];
    if (older !== null && older !== undefined) {
      let kept = 0;
      for (const bd of older) {
        if (bd.day >= day || bd.waiting !== null) older[kept++] = bd;
        else this.settle(bd, Number.POSITIVE_INFINITY);
      }
      older.length = kept;
      if (kept === 0) this.#older[row] = null;
    }
    const n = row * NUM;
    const latest = this.#num[n + DAY]!;
    if (latest < day && (this.#num[n + BITS]! & WAITING) === 0) {
      this.settle(this.load(row)!, Number.POSITIVE_INFINITY);
      this.store(row, null);
    }
  }

  private settle(bd: BuyerDay, dataEnd: number): void {
    const rule = this.ruleAt(bd.day)!;
    if (bd.waiting !== null) {
      const deadline =
        rule.rule.value === 'any_reply_same_day'
          ? this.rules.zone.startOfDay(bd.day + 1) - 1
          : bd.waiting.t + rule.threshold_seconds!.value * 1000;
      if (isPending(deadline, dataEnd) && !bd.failed) {
        this.record(bd.day, bd.waiting.receiver ?? UNASSIGNED, 'pending', () =>
          this.evidence(bd, 'a question is still waiting; its limit runs past the end of the data'),
        );
        return;
      }
      if (!bd.failed) {
        bd.failed = true;
        bd.agent = bd.waiting.receiver;
        bd.failed_question = bd.waiting.message;
        bd.replyT = null;
        if (this.keepsEvidence) {
          bd.why =
            rule.rule.value === 'any_reply_same_day'
              ? `no valid reply on ${dayToIso(bd.day)} after the day's first question [${rule.rule.source}]`
              : `a question at ${localTime(bd.waiting.t, this.rules.zone)} got no reply within ${rule.threshold_seconds!.value} s [${rule.threshold_seconds!.source}]`;
        }
      }
    }
    this.record(bd.day, bd.agent, bd.failed ? 'failed' : 'passed', () => this.evidence(bd, bd.why ?? ''));
  }
}

/** A day of its own (not the reused view), its waiting question too. */
function copyDay(bd: BuyerDay): BuyerDay {
  return { ...bd, waiting: bd.waiting === null ? null : { ...bd.waiting } };
}
