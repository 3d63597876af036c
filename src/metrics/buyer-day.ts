import type { Message } from '../model.js';
import { UNASSIGNED } from '../model.js';
import type { BuyerDailyMetric } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { ItemDetail } from '../report/model.js';
import { localTime } from '../time/local.js';
import { clockToMs, dayToIso } from '../time/zone.js';
import { sweepDue, sweepMark, swept } from '../engine/sweep.js';
import { ItemCounter } from './item-counter.js';
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

/** A buyer's days still open, in day order (one or two: a map per buyer cost more than it found). */
type BuyerState = BuyerDay[];

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
  private readonly buyers = new Map<string, BuyerState>();
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
    if (sweepDue(this.decidedMark, day, this.buyers.size)) this.decideQuiet(day);
    const rule = this.ruleAt(day);
    if (rule === null) return;
    const tod = this.rules.zone.timeOfDayMs(m.t);
    if (tod < clockToMs(rule.window.from)! || tod >= clockToMs(rule.window.to)!) return;
    const state = this.stateOf(m.buyer);
    this.settleBefore(state, day);
    // Days before this one are decided or still waiting; this day, if open, is the last.
    let bd = state[state.length - 1];
    if (bd === undefined || bd.day !== day) {
      bd = { day, buyer: m.buyer, failed: false, agent: null, waiting: null, replied: false, first: this.keepsEvidence ? m : null, why: null, replyT: null, failed_question: null };
      state.push(bd);
    }
    if (bd.waiting === null && !(rule.rule.value === 'any_reply_same_day' && bd.replied)) {
      bd.waiting = { t: m.t, receiver: m.agent ?? lastAccount, message: this.keepsEvidence ? m : null };
    }
  }

  reply(m: Message, day: number): void {
    const state = this.buyers.get(m.buyer);
    if (!state) return;
    for (const bd of state) {
      if (bd.waiting === null) continue;
      const rule = this.ruleAt(bd.day)!;
      if (rule.rule.value === 'any_reply_same_day') {
        if (day !== bd.day) continue;
        bd.replied = true;
        bd.agent = m.agent ?? bd.waiting.receiver;
        bd.waiting = null;
        continue;
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
    this.settleBefore(state, day);
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
    for (const state of this.buyers.values()) {
      for (const bd of state) this.settle(bd, dataEnd);
    }
    this.buyers.clear();
  }

  private stateOf(buyer: string): BuyerState {
    let s = this.buyers.get(buyer);
    if (!s) this.buyers.set(buyer, (s = []));
    return s;
  }

  /**
   * Record every buyer's days before `day` that nothing can change any more (issue 8: memory
   * follows what is open, not every buyer seen): a buyer-day without a waiting question is
   * decided once its day is over. Days still waiting stay: a late reply names the account.
   */
  private decideQuiet(day: number): void {
    for (const [buyer, state] of this.buyers) {
      this.settleBefore(state, day);
      if (state.length === 0) this.buyers.delete(buyer);
    }
    swept(this.decidedMark, day, this.buyers.size);
  }

  /** Record buyer-days before `day` that nothing can change any more. */
  private settleBefore(state: BuyerState, day: number): void {
    let kept = 0;
    for (const bd of state) {
      if (bd.day >= day || bd.waiting !== null) state[kept++] = bd;
      else this.settle(bd, Number.POSITIVE_INFINITY);
    }
    state.length = kept;
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
