import type { Session } from '../engine/segmenter.js';
import { UNASSIGNED } from '../model.js';
import type { SessionResponseMetric } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { ItemDetail } from '../report/model.js';
import { localTime } from '../time/local.js';
import { clockToMs, dayToIso } from '../time/zone.js';
import { ItemCounter } from './item-counter.js';
import { isPending, wholeSeconds } from './timing.js';
import type { Verdict } from './round-response.js';

/**
 * Session first-response metrics (e.g. 3分钟回复率 by session, 45秒人工首次响应率): a session counts
 * when it opens in the daily window; it passes when its first valid reply comes within the
 * threshold (whole seconds, inclusive). Unanswered sessions arrive at the end of the data.
 */
export class SessionResponseCounter extends ItemCounter {
  private undecided: Session[] = [];

  constructor(
    readonly metricId: string,
    private readonly rules: RuleSet,
  ) {
    super();
  }

  private ruleAt(day: number): SessionResponseMetric | null {
    const rule = this.rules.metricAt(this.metricId, day);
    return rule !== null && rule.kind === 'session_response' ? rule : null;
  }

  /** Called with each session of a traced conversation and its verdict (cs-audit explain). */
  trace: ((s: Session, v: Verdict) => void) | null = null;

  /** A session is not counted (and why), or passed, failed or pending; undecided until the data ends. */
  verdict(s: Session, dataEnd: number | null): Verdict {
    const rule = this.ruleAt(s.startDay);
    if (rule === null) return { kind: 'excluded', reason: 'not_in_force' };
    const tod = this.rules.zone.timeOfDayMs(s.start);
    if (tod < clockToMs(rule.window.from)! || tod >= clockToMs(rule.window.to)!) return { kind: 'excluded', reason: 'outside_window' };
    const limit = rule.threshold_seconds.value;
    if (s.firstReply !== null) {
      const delay = wholeSeconds(s.start, s.firstReply.t);
      const agent = s.firstReply.agent ?? s.receiver ?? s.lastAccount;
      return delay <= limit
        ? { kind: 'decided', outcome: 'passed', agent, why: `first reply after ${delay} s, within ${limit} s` }
        : { kind: 'decided', outcome: 'failed', agent, why: `first reply after ${delay} s, over the ${limit} s limit [${rule.threshold_seconds.source}]` };
    }
    const agent = s.receiver ?? s.lastAccount ?? UNASSIGNED;
    if (s.givenUpAt !== null && s.start + limit * 1000 <= s.givenUpAt) {
      return { kind: 'decided', outcome: 'failed', agent, why: `no reply within ${limit} s` };
    }
    if (dataEnd === null) return { kind: 'undecided' };
    return isPending(s.start + limit * 1000, dataEnd)
      ? { kind: 'decided', outcome: 'pending', agent, why: 'no reply yet; the limit runs past the end of the data' }
      : { kind: 'decided', outcome: 'failed', agent, why: `no reply within ${limit} s` };
  }

  session(s: Session): void {
    this.apply(s, this.verdict(s, null));
  }

  /** RULES.md §1 Pending: unanswered with a deadline after the end of the data. */
  /** The data stops here for good (a missing export follows): decide what waits, as at its end. */
  settleAt(dataEnd: number): void {
    this.finish(dataEnd);
  }

  finish(dataEnd: number): void {
    for (const s of this.undecided) this.apply(s, this.verdict(s, dataEnd));
    this.undecided = [];
  }

  private apply(s: Session, v: Verdict): void {
    if (v.kind === 'undecided') {
      this.undecided.push(s);
      return;
    }
    this.trace?.(s, v);
    if (v.kind === 'excluded') this.exclude(s.startDay, v.reason);
    else {
      const delay = s.firstReply === null ? null : wholeSeconds(s.start, s.firstReply.t);
      this.record(s.startDay, v.agent, v.outcome, () => this.evidence(s, delay, v.why));
    }
  }

  private evidence(s: Session, delay: number | null, reason: string): Omit<ItemDetail, 'metric' | 'outcome' | 'agent'> {
    const zone = this.rules.zone;
    return {
      date: dayToIso(s.startDay),
      buyer: s.buyer,
      start: localTime(s.start, zone),
      text: s.opening.content,
      reply_time: s.firstReply === null ? null : localTime(s.firstReply.t, zone),
      delay_seconds: delay,
      reason,
      origin: s.opening.origin,
    };
  }

}
