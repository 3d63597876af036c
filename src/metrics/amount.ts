import type { AmountDayEntry, AmountMetricReport, AmountWindow } from '../report/model.js';
import type { OnlineHoursMetric } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import { compare, type Status } from './tally.js';
import { dayToIso } from '../time/zone.js';
import { periodSpan } from './periods.js';
import { periodStatus } from './period-status.js';
import { MISSING_NOTE, NO_DAYS, type Span } from './assess.js';

const HOUR = 3_600_000;

/** Hours with 4 decimals, for the report; decisions use the exact milliseconds. */
export function hours(ms: number): number {
  return Math.round((ms / HOUR) * 10_000) / 10_000;
}

/** Milliseconds per day of an amount metric (e.g. online time); a day it does not hold is unknown. */
export type AmountSeries = Map<number, number>;

export function amountRuleAt(rules: RuleSet, metricId: string, day: number): OnlineHoursMetric | null {
  const rule = rules.metricAt(metricId, day);
  return rule !== null && rule.kind === 'online_hours' ? rule : null;
}

/** Whether `sumMs` over `days` days meets the target in hours per day (exact, on integers). */
export function meetsHours(sumMs: number, days: number, rule: OnlineHoursMetric): boolean {
  return compare(rule.target.op, sumMs, Math.round(rule.target.value * HOUR) * days);
}

/** Each day from `from` to `to` with its hours and its window (average per day), judged on the window. */
export function assessAmountDays(
  series: AmountSeries,
  metricId: string,
  rules: RuleSet,
  from: number,
  to: number,
  firstInputDay: number,
  missing: ReadonlySet<number> = NO_DAYS,
): AmountDayEntry[] {
  const days: AmountDayEntry[] = [];
  for (let day = from; day <= to; day++) {
    const rule = amountRuleAt(rules, metricId, day);
    const version = rules.versionAt(day).version;
    if (missing.has(day)) {
      days.push({ date: dayToIso(day), missing: true, value: null, status: 'n/a', window: null, version, note: MISSING_NOTE });
      continue;
    }
    const ownMs = series.get(day);
    const own = ownMs === undefined ? null : hours(ownMs);
    const unknown = ownMs === undefined ? { note: 'unknown: no presence log covers this day' } : {};
    if (rule === null) {
      days.push({ date: dayToIso(day), value: own, status: 'n/a', window: null, version, ...unknown });
      continue;
    }
    const nominal = periodSpan(rule.assessment.period.value, day);
    const start = Math.max(nominal.from, firstInputDay);
    let sum = 0;
    let count = 0;
    let firstKnown: number | null = null;
    let gaps = 0;
    for (let d = start; d <= nominal.to; d++) {
      if (missing.has(d)) gaps++;
      const ms = series.get(d);
      if (ms === undefined) continue;
      firstKnown ??= d;
      sum += ms;
      count++;
    }
    if (ownMs === undefined || count === 0 || firstKnown === null) {
      days.push({ date: dayToIso(day), value: own, status: 'n/a', window: null, version, ...unknown });
      continue;
    }
    const window: AmountWindow = {
      from: dayToIso(firstKnown),
      to: dayToIso(nominal.to),
      days: count,
      nominal_days: nominal.to - nominal.from + 1,
      partial: count < nominal.to - nominal.from + 1,
      ...(gaps > 0 ? { missing_days: gaps } : {}),
      value: hours(sum / count),
    };
    const status: Status = meetsHours(sum, count, rule) ? 'pass' : 'fail';
    days.push({ date: dayToIso(day), value: own, status, window, version });
  }
  return days;
}

/** The period's report entry: reported days, and the average per day over the period. */
export function amountReport(
  series: AmountSeries,
  metricId: string,
  rules: RuleSet,
  span: Span,
  days: AmountDayEntry[],
  agents: { agent: string; value: number }[],
): AmountMetricReport {
  const latest = amountRuleAt(rules, metricId, span.to) ?? (rules.latestMetric(metricId) as OnlineHoursMetric);
  let sum = 0;
  let count = 0;
  for (let d = Math.max(span.from, span.firstInputDay); d <= span.to; d++) {
    const ms = series.get(d);
    if (ms === undefined) continue;
    sum += ms;
    count++;
  }
  return {
    id: metricId,
    name: latest.name,
    unit: 'hours',
    target: { op: latest.target.op, value: latest.target.value, ...(latest.target.assumed ? { assumed: true } : {}) },
    window_hours: { from: latest.window.from, to: latest.window.to },
    assessment: { period: latest.assessment.period.value },
    days,
    agents,
    total: { value: count === 0 ? null : hours(sum / count), status: periodStatus(days, latest.assessment.period.value) },
  };
}
