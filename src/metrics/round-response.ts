import type { Round } from '../engine/segmenter.js';
import { UNASSIGNED } from '../model.js';
import type { RoundResponseMetric } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { ItemDetail } from '../report/model.js';
import { localTime } from '../time/local.js';
import { clockToMs, dayToIso } from '../time/zone.js';
import { messageEvidence } from './evidence.js';
import { ItemCounter, type Outcome } from './item-counter.js';
import { isPending, wholeSeconds } from './timing.js';

export type Verdict =
  | { kind: 'excluded'; reason: string }
  | { kind: 'decided'; outcome: Outcome; agent: string | null; why: string }
  | { kind: 'undecided' };

/** Why a round is not counted, in the order they are checked (the first that applies is reported). */
export const ROUND_EXCLUSIONS = ['not_in_force', 'outside_window', 'blacklisted', 'abusive', 'bot', 'zero_second'] as const;

/** Whole seconds from the round's start to its reply (RULES.md §1: floor of the difference). */
export function delaySeconds(r: Round): number | null {
  return r.reply === null ? null : wholeSeconds(r.start, r.reply.t);
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

  /** Called with each round of a traced conversation and its verdict (cs-audit explain). */
  trace: ((r: Round, v: Verdict) => void) | null = null;

  /**
   * RULES.md §1-§2: a round is not counted (and why), or passed, failed or pending, with the
   * clause and numbers that decided it; undecided while its deadline may lie past the data.
   */
  verdict(r: Round, dataEnd: number | null): Verdict {
    const rule = this.rules.metricAt(this.metricId, r.startDay);
    if (rule === null || rule.kind !== 'round_response') return { kind: 'excluded', reason: 'not_in_force' };
    const reason = this.exclusion(r, rule);
    if (reason !== null) return { kind: 'excluded', reason };
    const threshold = rule.threshold_seconds.value;
    const source = rule.threshold_seconds.source;
    const delay = delaySeconds(r);
    if (delay !== null) {
      const agent = r.reply!.agent ?? r.receiver ?? r.lastAccount;
      return delay <= threshold
        ? { kind: 'decided', outcome: 'passed', agent, why: `first reply after ${delay} s, within ${threshold} s` }
        : { kind: 'decided', outcome: 'failed', agent, why: `first reply after ${delay} s, over the ${threshold} s limit [${source}]` };
    }
    const deadline = r.start + threshold * 1000;
    if (r.closedAt !== null && deadline <= r.closedAt) {
      return { kind: 'decided', outcome: 'failed', agent: unansweredAgent(r), why: `no reply before the buyer's message of a later day; ${threshold} s limit [${source}]` };
    }
    if (dataEnd === null) return { kind: 'undecided' };
    return isPending(deadline, dataEnd)
      ? { kind: 'decided', outcome: 'pending', agent: unansweredAgent(r), why: `no reply yet; the ${threshold} s limit runs past the end of the data` }
      : { kind: 'decided', outcome: 'failed', agent: unansweredAgent(r), why: `no reply within ${threshold} s [${source}]` };
  }

  add(r: Round): void {
    this.apply(r, this.verdict(r, null));
  }

  /** RULES.md §1 Pending: unanswered with a deadline after the end of the data. */
  /** The data stops here for good (a missing export follows): decide what waits, as at its end. */
  settleAt(dataEnd: number): void {
    this.finish(dataEnd);
  }

  finish(dataEnd: number): void {
    for (const r of this.undecided) this.apply(r, this.verdict(r, dataEnd));
    this.undecided = [];
  }

  private apply(r: Round, v: Verdict): void {
    if (v.kind === 'undecided') {
      this.undecided.push(r);
      return;
    }
    this.trace?.(r, v);
    if (v.kind === 'excluded') this.exclude(r.startDay, v.reason);
    else this.record(r.startDay, v.agent, v.outcome, () => this.evidence(r, v.why));
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
