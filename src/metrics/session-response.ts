import type { Session } from '../engine/segmenter.js';
import { UNASSIGNED } from '../model.js';
import type { SessionResponseMetric } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { ItemDetail } from '../report/model.js';
import { localTime } from '../time/local.js';
import { clockToMs, dayToIso } from '../time/zone.js';
import { ItemCounter } from './item-counter.js';

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

  session(s: Session): void {
    const rule = this.ruleAt(s.startDay);
    if (rule === null) {
      this.exclude(s.startDay, 'not_in_force');
      return;
    }
    const tod = this.rules.zone.timeOfDayMs(s.start);
    if (tod < clockToMs(rule.window.from)! || tod >= clockToMs(rule.window.to)!) {
      this.exclude(s.startDay, 'outside_window');
      return;
    }
    if (s.firstReply === null) {
      this.undecided.push(s);
      return;
    }
    const delay = Math.floor((s.firstReply.t - s.start) / 1000);
    const agent = s.firstReply.agent ?? s.receiver ?? s.lastAccount;
    const limit = rule.threshold_seconds.value;
    this.record(s.startDay, agent, delay <= limit ? 'passed' : 'failed', () =>
      this.evidence(s, delay, `first reply after ${delay} s, over the ${limit} s limit [${rule.threshold_seconds.source}]`),
    );
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

  /** RULES.md §1 Pending: unanswered with a deadline after the end of the data. */
  finish(dataEnd: number): void {
    for (const s of this.undecided) {
      const rule = this.ruleAt(s.startDay)!;
      const deadline = s.start + rule.threshold_seconds.value * 1000;
      const pending = deadline > dataEnd;
      const why = pending ? 'no reply yet; the limit runs past the end of the data' : `no reply within ${rule.threshold_seconds.value} s`;
      this.record(s.startDay, s.receiver ?? s.lastAccount ?? UNASSIGNED, pending ? 'pending' : 'failed', () => this.evidence(s, null, why));
    }
    this.undecided = [];
  }
}
