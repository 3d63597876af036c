import { dayToIso, isoToDay } from '../time/zone.js';

/**
 * What a day's assessment covers (RULES.md: "last 30 days", "T-7 to T-1", "calendar month").
 * `rolling`: the `days` days ending `offset` days before the assessed day (offset 0: the day itself).
 * `month`: the assessed day's calendar month up to that day (month to date).
 */
export type AssessmentPeriod = { kind: 'rolling'; days: number; offset?: number } | { kind: 'month' };

/** First day of the calendar month holding `day` (local day numbers). */
export function monthStart(day: number): number {
  return isoToDay(`${dayToIso(day).slice(0, 8)}01`)!;
}

/** Last day of the calendar month holding `day`. */
export function monthEnd(day: number): number {
  const iso = dayToIso(day);
  const [y, m] = [Number(iso.slice(0, 4)), Number(iso.slice(5, 7))];
  return Date.UTC(y, m, 0) / 86_400_000;
}

/** The nominal span [from, to] of the assessment of `day`, before clipping to the input. */
export function periodSpan(period: AssessmentPeriod, day: number): { from: number; to: number } {
  if (period.kind === 'month') return { from: monthStart(day), to: day };
  const to = day - (period.offset ?? 0);
  return { from: to - period.days + 1, to };
}
