import { UNASSIGNED } from '../model.js';
import type { Review } from '../normalize/review-row.js';
import type { ReviewReplyMetric } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { ItemDetail } from '../report/model.js';
import { localTime } from '../time/local.js';
import { dayToIso } from '../time/zone.js';
import { ItemCounter } from './item-counter.js';
import { isPending, wholeSeconds } from './timing.js';

/**
 * Review-reply metrics (e.g. 差评24小时回复): a review in the rating range (with content, when the
 * rule asks) counts on the day it was posted and passes when the written reply came within the
 * threshold (whole seconds, inclusive). Failed reviews are kept for per-item penalties.
 */
export class ReviewCounter extends ItemCounter {
  constructor(
    readonly metricId: string,
    private readonly rules: RuleSet,
  ) {
    super();
  }

  add(review: Review, dataEnd: number): void {
    const day = this.rules.zone.dayOf(review.t);
    const rule = this.rules.metricAt(this.metricId, day);
    if (rule === null || rule.kind !== 'review_reply') {
      this.exclude(day, 'not_in_force');
      return;
    }
    if (!(rule as ReviewReplyMetric).ratings.value.includes(review.rating)) {
      this.exclude(day, `rating_${review.rating}`);
      return;
    }
    if (rule.require_content.value && !review.hasContent) {
      this.exclude(day, 'no_content');
      return;
    }
    const agent = review.agent ?? UNASSIGNED;
    const limit = rule.threshold_seconds.value;
    if (review.replyT !== null) {
      const delay = Math.max(0, wholeSeconds(review.t, review.replyT));
      if (delay <= limit) this.record(day, agent, 'passed');
      else this.fail(day, agent, `review ${review.id} (${review.rating}★) replied after ${delay} s`, review);
      return;
    }
    if (isPending(review.t + limit * 1000, dataEnd)) {
      this.record(day, agent, 'pending', () => this.evidence(review, day, 'not replied yet; 24 h run past the end of the data'));
    } else this.fail(day, agent, `review ${review.id} (${review.rating}★) not replied within ${limit} s`, review);
  }

  private fail(day: number, agent: string, what: string, review?: Review): void {
    this.record(day, agent, 'failed', review ? () => this.evidence(review, day, what) : undefined);
    this.failedItems.push({ day, agent, what });
  }

  private evidence(r: Review, day: number, reason: string): Omit<ItemDetail, 'metric' | 'outcome' | 'agent'> {
    const zone = this.rules.zone;
    return {
      date: dayToIso(day),
      buyer: null,
      start: localTime(r.t, zone),
      text: `${r.id} (${r.rating}★) ${r.content}`,
      reply_time: r.replyT === null ? null : localTime(r.replyT, zone),
      delay_seconds: r.replyT === null ? null : Math.max(0, wholeSeconds(r.t, r.replyT)),
      reason,
      origin: r.origin,
    };
  }

  finish(): void {}
}
