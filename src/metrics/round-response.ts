import type { Round } from '../engine/segmenter.js';
import { UNASSIGNED } from '../model.js';
import type { RoundResponseMetric } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { ItemDetail } from '../report/model.js';
import { localTime } from '../time/local.js';
import { clockToMs, dayToIso } from '../time/zone.js';
import { messageEvidence } from './evidence.js';
import { ItemCounter } from './item-counter.js';

/** Why a round is not counted, in the order they are checked (the first that applies is reported). */
export const ROUND_EXCLUSIONS = ['not_in_force', 'outside_window', 'blacklisted', 'abusive', 'bot', 'zero_second'] as const;

/** Whole seconds from the round's start to its reply (RULES.md §1: floor of the difference). */
export function delaySeconds(r: Round): number | null {
  return r.reply === null ? null : Math.floor((r.reply.t - r.start) / 1000);
}

/**
 * A round-based response metric (RULES.md §1 buyer-first rounds, e.g. a 3-minute response rate):
 * each round is excluded for a reason, or passed, failed or pending.
 */
export class RoundResponseCounter extends ItemCounter {
  /** Unanswered rounds whose deadline may lie after the end of the data: decided in finish(). */
  private undecided: Round[] = [];

  constructor(
    readonly metricId: string,
    private readonly rules: RuleSet,
  ) {
    super();
  }

  add(r: Round): void {
    const rule = this.rules.metricAt(this.metricId, r.startDay);
    if (rule === null || rule.kind !== 'round_response') {
      this.exclude(r.startDay, 'not_in_force');
      return;
    }
    const reason = this.exclusion(r, rule);
    if (reason !== null) {
      this.exclude(r.startDay, reason);
      return;
    }
    const threshold = rule.threshold_seconds.value;
    const delay = delaySeconds(r);
    if (delay !== null) {
      const why = `first reply after ${delay} s, over the ${threshold} s limit [${rule.threshold_seconds.source}]`;
      this.record(r.startDay, r.reply!.agent ?? r.receiver ?? r.lastAccount, delay <= threshold ? 'passed' : 'failed', () =>
        this.evidence(r, why),
      );
      return;
    }
    const deadline = r.start + threshold * 1000;
    if (r.closedAt !== null && deadline <= r.closedAt) {
      const why = `no reply before the buyer's message of a later day; ${threshold} s limit [${rule.threshold_seconds.source}]`;
      this.record(r.startDay, unansweredAgent(r), 'failed', () => this.evidence(r, why));
    } else this.undecided.push(r);
  }

  /** RULES.md §1 Pending: unanswered with a deadline after the end of the data. */
  finish(dataEnd: number): void {
    for (const r of this.undecided) {
      const rule = this.rules.metricAt(this.metricId, r.startDay) as RoundResponseMetric;
      const deadline = r.start + rule.threshold_seconds.value * 1000;
      const pending = deadline > dataEnd;
      const why = pending
        ? `no reply yet; the ${rule.threshold_seconds.value} s limit runs past the end of the data`
        : `no reply within ${rule.threshold_seconds.value} s [${rule.threshold_seconds.source}]`;
      this.record(r.startDay, unansweredAgent(r), pending ? 'pending' : 'failed', () => this.evidence(r, why));
    }
    this.undecided = [];
  }

  private evidence(r: Round, reason: string): Omit<ItemDetail, 'metric' | 'outcome' | 'agent'> {
    const zone = this.rules.zone;
    const restarted = r.restartedAt === null ? '' : ` (re-started at ${localTime(r.restartedAt, zone)} by an assign)`;
    return {
      date: dayToIso(r.startDay),
      buyer: r.buyer,
      start: localTime(r.start, zone),
      text: r.opening.content,
      reply_time: r.reply === null ? null : localTime(r.reply.t, zone),
      delay_seconds: delaySeconds(r),
      reason: `${reason}${restarted}`,
      origin: r.opening.origin,
      ...(r.messages === null ? {} : { messages: r.messages.map((m) => messageEvidence(m, zone)) }),
    };
  }

  private exclusion(r: Round, rule: RoundResponseMetric): string | null {
    const tod = this.rules.zone.timeOfDayMs(r.start);
    if (tod < clockToMs(rule.window.from)! || tod >= clockToMs(rule.window.to)!) return 'outside_window';
    if (r.blacklisted && rule.exclude_rounds.blacklisted.value) return 'blacklisted';
    if (r.abusive && rule.exclude_rounds.abusive.value) return 'abusive';
    if (r.botHeld && rule.exclude_rounds.bot_handled.value) return 'bot';
    if (delaySeconds(r) === 0 && rule.exclude_rounds.zero_second.value) return 'zero_second';
    return null;
  }
}

/** RULES.md §1 attribution of an unanswered item. */
function unansweredAgent(r: Round): string {
  return r.receiver ?? r.lastAccount ?? UNASSIGNED;
}
