import type { Session } from '../engine/segmenter.js';
import { UNASSIGNED } from '../model.js';
import type { SessionResponseMetric } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import { clockToMs } from '../time/zone.js';
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
    this.record(s.startDay, agent, delay <= rule.threshold_seconds.value ? 'passed' : 'failed');
  }

  /** RULES.md §1 Pending: unanswered with a deadline after the end of the data. */
  finish(dataEnd: number): void {
    for (const s of this.undecided) {
      const rule = this.ruleAt(s.startDay)!;
      const deadline = s.start + rule.threshold_seconds.value * 1000;
      this.record(s.startDay, s.receiver ?? s.lastAccount ?? UNASSIGNED, deadline > dataEnd ? 'pending' : 'failed');
    }
    this.undecided = [];
  }
}
