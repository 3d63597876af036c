import { UNASSIGNED } from '../model.js';
import type { Review } from '../normalize/review-row.js';
import type { ReviewReplyMetric } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import { ItemCounter } from './item-counter.js';

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
      const delay = Math.max(0, Math.floor((review.replyT - review.t) / 1000));
      if (delay <= limit) this.record(day, agent, 'passed');
      else this.fail(day, agent, `review ${review.id} (${review.rating}★) replied after ${delay} s`);
      return;
    }
    if (review.t + limit * 1000 > dataEnd) this.record(day, agent, 'pending');
    else this.fail(day, agent, `review ${review.id} (${review.rating}★) not replied within ${limit} s`);
  }

  private fail(day: number, agent: string, what: string): void {
    this.record(day, agent, 'failed');
    this.failedItems.push({ day, agent, what });
  }

  finish(): void {}
}
