import type { Round, Session } from '../engine/segmenter.js';
import type { Message } from '../model.js';
import type { RatioMetricRule } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import { BuyerDayCounter } from './buyer-day.js';
import { EvaluationCounter } from './evaluation-rate.js';
import type { ItemCounter } from './item-counter.js';
import { RoundResponseCounter } from './round-response.js';
import { SessionResponseCounter } from './session-response.js';

/**
 * A metric's counter and the events it listens to. The shop auditor feeds every counter the
 * events it has a hook for; a new metric kind is a counter plus an entry in COUNTERS.
 */
export interface MetricCounter extends ItemCounter {
  question?(m: Message, day: number, lastAccount: string | null): void;
  reply?(m: Message, day: number): void;
  round?(r: Round): void;
  session?(s: Session): void;
  evaluation?(m: Message, day: number): void;
  finish(dataEnd: number): void;
  /** Decide what waits for a reply as at the end of the data, and go on (counters with limits). */
  settleAt?(dataEnd: number): void;
}

type Factory = (metricId: string, rules: RuleSet) => MetricCounter;

/** Chat-log metrics; amount metrics (online time) come from the presence log instead. */
export const COUNTERS: Record<Exclude<RatioMetricRule['kind'], 'review_reply'>, Factory> = {
  round_response: (id, rules) => {
    const c = new RoundResponseCounter(id, rules);
    return Object.assign(c, { round: (r: Round) => c.add(r) });
  },
  evaluation_rate: (id, rules) => {
    const c = new EvaluationCounter(id, rules);
    return Object.assign(c, { evaluation: (m: Message, day: number) => c.add(m, day) });
  },
  buyer_daily: (id, rules) => new BuyerDayCounter(id, rules),
  session_response: (id, rules) => new SessionResponseCounter(id, rules),
};
