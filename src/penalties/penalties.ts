import type { ItemCounter } from '../metrics/item-counter.js';
import { monthEnd, monthStart } from '../metrics/periods.js';
import { addInto, emptyTally, judge, rate, type Tally } from '../metrics/tally.js';
import type { AmountDayEntry, DayEntry, Penalty, Totals } from '../report/model.js';
import { hours, meetsHours, type AmountSeries } from '../metrics/amount.js';
import type { Bound, Consequence, MetricRule, PenaltyRule } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import { dayToIso, isoToDay } from '../time/zone.js';

export interface PenaltyContext {
  metricId: string;
  rules: RuleSet;
  /** Every day from the first day of the input (or of the period) to the last: statuses may be changed here. */
  days: (DayEntry | AmountDayEntry)[];
  /** The metric's counter (ratio metrics) or its milliseconds per day (amount metrics). */
  counter: ItemCounter | null;
  series: AmountSeries | null;
  /** Every metric's counter of the shop (tiers read another metric's volume). */
  counters: Map<string, ItemCounter>;
  firstInputDay: number;
  lastInputDay: number;
  /** The last day assessed (the period may run past the input). */
  lastDay: number;
  /** Every metric's milliseconds per day (amount metrics), for rules that read another metric. */
  seriesById: Map<string, AmountSeries>;
  /** Whole-day (00:00-24:00) online milliseconds per day, when a presence log was given. */
  wholeDayOnline: AmountSeries | null;
  /** Days on which buyers wrote (eligible questions). */
  buyerDays: Set<number>;
  shop: string | null;
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(2)}%`;
}

function targetText(rule: MetricRule): string {
  return rule.kind === 'online_hours'
    ? `target ${rule.target.op} ${rule.target.value} h a day`
    : `target ${rule.target.op} ${percent(rule.target.value)}`;
}

/**
 * RULES.md §1 Penalty dates: every penalty rule of the metric (the version in force on the day
 * it looks at), each penalty dated on the day its condition is first met and saying which clause
 * and which numbers triggered it. Assessment cycles also set the status of days without
 * assessment, so they run first.
 */
export function penaltiesOf(ctx: PenaltyContext): Penalty[] {
  const penalties: Penalty[] = [];
  const kinds = new Set<PenaltyRule['when']>();
  for (const v of ctx.rules.pack.versions) {
    for (const m of v.metrics) if (m.id === ctx.metricId) for (const p of m.penalties) kinds.add(p.when);
  }
  if (kinds.has('assessment_cycle')) penalties.push(...assessmentCycles(ctx));
  if (kinds.has('failing_day')) penalties.push(...failingDays(ctx));
  if (kinds.has('failing_item')) penalties.push(...failingItems(ctx));
  if (kinds.has('failing_days_in_month')) penalties.push(...failingDaysInMonth(ctx));
  if (kinds.has('consecutive_failing_months')) penalties.push(...consecutiveMonths(ctx));
  if (kinds.has('monthly_tiers')) penalties.push(...monthlyTiers(ctx));
  if (kinds.has('zero_days_run')) penalties.push(...zeroDayRuns(ctx));
  if (kinds.has('robot_takeover')) penalties.push(...robotTakeovers(ctx));
  if (kinds.has('failing_months_together')) penalties.push(...monthsTogether(ctx));
  return penalties;
}

function rulesOf<K extends PenaltyRule['when']>(
  ctx: PenaltyContext,
  day: number,
  when: K,
): { metric: MetricRule; rule: Extract<PenaltyRule, { when: K }> }[] {
  const metric = ctx.rules.metricAt(ctx.metricId, day);
  if (metric === null) return [];
  return metric.penalties
    .filter((p): p is Extract<PenaltyRule, { when: K }> => p.when === when)
    .map((rule) => ({ metric, rule }));
}

function issue(ctx: PenaltyContext, day: number, metric: MetricRule, c: Consequence, reason: string): Penalty {
  return {
    ...(ctx.shop === null ? {} : { shop: ctx.shop }),
    date: dayToIso(day),
    metric: ctx.metricId,
    kind: c.kind,
    amount_cny: c.kind === 'fine' ? (c.amount_cny ?? 0) : 0,
    points: c.kind === 'points' ? (c.points ?? 0) : 0,
    ...(c.ledger === undefined ? {} : { ledger: c.ledger }),
    ...(c.days === undefined ? {} : { days: c.days }),
    clause: `${metric.name.zh} ${metric.name.en}: ${c.clause} [${c.source}]`,
    reason,
  };
}

function dayFailure(day: DayEntry | AmountDayEntry, metric: MetricRule): string {
  const w = day.window!;
  const span = w.from === w.to ? w.to : `${w.from}..${w.to}`;
  const partial = w.partial ? ` (only ${w.days} of ${w.nominal_days} days in the input)` : '';
  if (metric.kind === 'online_hours' && 'value' in w) {
    const per = w.days === 1 ? '' : ' a day on average';
    return `${metric.name.en} over ${span}${partial}: ${w.value} h${per}, target ${metric.target.op} ${metric.target.value} h [${metric.target.source}]`;
  }
  if (metric.kind === 'online_hours' || !('eligible' in w)) return `${metric.name.en} over ${span}`;
  return (
    `${metric.name.en} over ${span}${partial}: ${w.passed}/${w.eligible} = ${percent(w.rate)}, ` +
    `${targetText(metric)} (assessed from ${metric.assessment.min_volume.value} ${metric.unit}s) [${metric.target.source}]`
  );
}

function failingDays(ctx: PenaltyContext): Penalty[] {
  const out: Penalty[] = [];
  for (const d of ctx.days) {
    if (d.status !== 'fail' || d.window === null) continue;
    const day = isoToDay(d.date)!;
    for (const { metric, rule } of rulesOf(ctx, day, 'failing_day')) {
      for (const c of rule.consequences) out.push(issue(ctx, day, metric, c, dayFailure(d, metric)));
    }
  }
  return out;
}

function failingItems(ctx: PenaltyContext): Penalty[] {
  const out: Penalty[] = [];
  for (const item of ctx.counter?.failedItems ?? []) {
    for (const { metric, rule } of rulesOf(ctx, item.day, 'failing_item')) {
      for (const c of rule.consequences) out.push(issue(ctx, item.day, metric, c, `${item.what}, attributed to ${item.agent}`));
    }
  }
  return out;
}

function failingDaysInMonth(ctx: PenaltyContext): Penalty[] {
  const out: Penalty[] = [];
  const failing = new Map<number, string[]>();
  for (const d of ctx.days) {
    if (d.status !== 'fail') continue;
    const day = isoToDay(d.date)!;
    const month = monthStart(day);
    const list = failing.get(month) ?? [];
    list.push(d.date);
    failing.set(month, list);
    for (const { metric, rule } of rulesOf(ctx, day, 'failing_days_in_month')) {
      if (list.length !== rule.count) continue;
      const reason = `${rule.count} failing days in ${d.date.slice(0, 7)} (${list.join(', ')}), ${targetText(metric)}`;
      for (const c of rule.consequences) out.push(issue(ctx, day, metric, c, reason));
    }
  }
  return out;
}

/** Calendar months the input touches, each clipped to the input: [first, last] day. */
function monthsOfInput(ctx: PenaltyContext): { month: number; first: number; last: number }[] {
  const months = [];
  for (let m = monthStart(ctx.firstInputDay); m <= ctx.lastInputDay; m = monthEnd(m) + 1) {
    months.push({ month: m, first: Math.max(m, ctx.firstInputDay), last: Math.min(monthEnd(m), ctx.lastInputDay) });
  }
  return months;
}

function tallyOver(counter: ItemCounter, first: number, last: number): Tally {
  const t = emptyTally();
  for (let d = first; d <= last; d++) {
    const x = counter.days.peek(d);
    if (x) addInto(t, x);
  }
  return t;
}

function monthName(month: number): string {
  return dayToIso(month).slice(0, 7);
}

/** A month's own aggregate against the target: the rate over its days, or hours a day on average. */
function monthVerdict(
  ctx: PenaltyContext,
  metric: MetricRule,
  first: number,
  last: number,
  counter: ItemCounter | null = ctx.counter,
  series: AmountSeries | null = ctx.series,
): { fails: boolean; text: string } {
  if (metric.kind === 'online_hours') {
    let sum = 0;
    let days = 0;
    for (let d = first; d <= last; d++) {
      const ms = series?.get(d);
      if (ms === undefined) continue; // unknown, not zero
      sum += ms;
      days++;
    }
    if (days === 0) return { fails: false, text: 'no presence log' };
    return { fails: !meetsHours(sum, days, metric), text: `${hours(sum / days)} h a day on average over ${days} days` };
  }
  if (counter === null) return { fails: false, text: 'no data' };
  const tally = tallyOver(counter, first, last);
  return { fails: judge(tally, metric.target, 1) === 'fail', text: `${tally.passed}/${tally.eligible} = ${percent(rate(tally))}` };
}

/**
 * Robot take-over (e.g. Suning): buyers wrote on D and each of the `days` days before D had
 * less than `below_hours` of whole-day online time; dated on the first day of each run of such
 * days. Days before the input are unknown, so they never count as low.
 */
function robotTakeovers(ctx: PenaltyContext): Penalty[] {
  const out: Penalty[] = [];
  if (ctx.wholeDayOnline === null) return out;
  let previousHeld = false;
  for (let day = ctx.firstInputDay; day <= ctx.lastDay; day++) {
    let held = false;
    for (const { metric, rule } of rulesOf(ctx, day, 'robot_takeover')) {
      const before = Array.from({ length: rule.days }, (_, k) => day - rule.days + k);
      const limit = Math.round(rule.below_hours * 3_600_000);
      // Unknown days (before the input, or no presence log) are never low.
      const low = before.every((d) => {
        const ms = ctx.wholeDayOnline!.get(d);
        return d >= ctx.firstInputDay && ms !== undefined && ms < limit;
      });
      // Buyers writing switch the robot on; it stays on while the days before stay low.
      if (!low || !(ctx.buyerDays.has(day) || previousHeld)) continue;
      held = true;
      if (previousHeld) continue;
      const hoursText = before.map((d) => `${dayToIso(d)} ${hours(ctx.wholeDayOnline!.get(d) ?? 0)} h`).join(', ');
      const reason = `buyers wrote on ${dayToIso(day)} and the ${rule.days} days before each had under ${rule.below_hours} h online (${hoursText})`;
      for (const c of rule.consequences) out.push(issue(ctx, day, metric, c, reason));
    }
    previousHeld = held;
  }
  return out;
}

/**
 * Months judged on several metrics together (e.g. Suning 2023-12-21): a month fails when any
 * listed metric misses its own monthly target; each ladder step is reached once per run.
 */
function monthsTogether(ctx: PenaltyContext): Penalty[] {
  const out: Penalty[] = [];
  let run: string[] = [];
  let index = 0;
  for (const { month, first, last } of monthsOfInput(ctx)) {
    index++;
    const found = rulesOf(ctx, last, 'failing_months_together');
    if (found.length === 0) {
      run = [];
      continue;
    }
    const { metric, rule } = found[0]!;
    if (index <= rule.exempt_first_months) continue;
    const misses: string[] = [];
    for (const id of rule.metrics) {
      const m = ctx.rules.metricAt(id, last);
      if (m === null) continue;
      const verdict = monthVerdict(ctx, m, first, last, ctx.counters.get(id) ?? null, ctx.seriesById.get(id) ?? null);
      if (verdict.fails) misses.push(`${m.name.en} ${verdict.text}, ${targetText(m)}`);
    }
    if (misses.length === 0) {
      run = [];
      continue;
    }
    run.push(`${monthName(month)}: ${misses.join('; ')}`);
    for (const step of rule.ladder) {
      if (step.months !== run.length) continue;
      const reason = `${run.length} consecutive failing months: ${run.join(' | ')}`;
      for (const c of step.consequences) out.push(issue(ctx, last, metric, c, reason));
    }
  }
  return out;
}

function consecutiveMonths(ctx: PenaltyContext): Penalty[] {
  const out: Penalty[] = [];
  let run: string[] = [];
  for (const { month, first, last } of monthsOfInput(ctx)) {
    const metric = ctx.rules.metricAt(ctx.metricId, last);
    const verdict = metric === null ? null : monthVerdict(ctx, metric, first, last);
    if (metric === null || verdict === null || !verdict.fails) {
      run = [];
      continue;
    }
    run.push(`${monthName(month)} ${verdict.text}`);
    for (const { rule } of rulesOf(ctx, last, 'consecutive_failing_months')) {
      if (run.length !== rule.months) continue;
      const reason = `${rule.months} consecutive months below target: ${run.join('; ')}, ${targetText(metric)}`;
      for (const c of rule.consequences) out.push(issue(ctx, last, metric, c, reason));
      run = [];
    }
  }
  return out;
}

/** Runs of `days` consecutive days with nothing (zero online time); runs do not overlap. */
function zeroDayRuns(ctx: PenaltyContext): Penalty[] {
  const out: Penalty[] = [];
  let run: number[] = [];
  for (let day = ctx.firstInputDay; day <= ctx.lastDay; day++) {
    // An unknown day (no presence log for it) is not a zero day: it breaks the run.
    if (ctx.series?.get(day) !== 0) {
      run = [];
      continue;
    }
    run.push(day);
    for (const { metric, rule } of rulesOf(ctx, day, 'zero_days_run')) {
      if (run.length !== rule.days) continue;
      const reason = `${rule.days} consecutive days with no online time: ${run.map(dayToIso).join(', ')}`;
      for (const c of rule.consequences) out.push(issue(ctx, day, metric, c, reason));
      run = [];
    }
  }
  return out;
}

function within(value: number, b: Bound): boolean {
  return (
    (b.gt === undefined || value > b.gt) &&
    (b.gte === undefined || value >= b.gte) &&
    (b.lt === undefined || value < b.lt) &&
    (b.lte === undefined || value <= b.lte)
  );
}

function boundText(name: string, b: Bound): string {
  const parts = [];
  if (b.gt !== undefined) parts.push(`${name} > ${b.gt}`);
  if (b.gte !== undefined) parts.push(`${name} ≥ ${b.gte}`);
  if (b.lt !== undefined) parts.push(`${name} < ${b.lt}`);
  if (b.lte !== undefined) parts.push(`${name} ≤ ${b.lte}`);
  return parts.join(' and ');
}

function monthlyTiers(ctx: PenaltyContext): Penalty[] {
  const out: Penalty[] = [];
  for (const { month, first, last } of monthsOfInput(ctx)) {
    for (const { metric, rule } of rulesOf(ctx, last, 'monthly_tiers')) {
      if (ctx.counter === null) continue;
      const tally = tallyOver(ctx.counter, first, last);
      const volumeCounter = ctx.counters.get(rule.volume_metric);
      if (!volumeCounter || tally.eligible === 0) continue;
      const volume = tallyOver(volumeCounter, first, last).eligible;
      // Compare the exact rate, not the rounded one.
      const exact = tally.passed / tally.eligible;
      const tier = rule.tiers.find((t) => within(volume, t.volume) && within(exact, t.rate));
      if (!tier) continue;
      const partial = last < monthEnd(month) ? ` (month to date: the input ends ${dayToIso(last)})` : '';
      const reason =
        `${monthName(month)}${partial}: volume n = ${volume} (${rule.volume_metric}), rate ${tally.passed}/${tally.eligible} = ` +
        `${percent(rate(tally))}; tier ${boundText('n', tier.volume)}, ${boundText('rate', tier.rate)}`;
      for (const c of tier.consequences) out.push(issue(ctx, last, metric, c, reason));
    }
  }
  return out;
}

/**
 * Penalty cycles (e.g. Xiaohongshu): an assessment needs a full window inside the current cycle;
 * a failure starts a penalty (no assessment while it runs) and the next cycle the day after it
 * ends; a failure in a month already penalized is reported without a penalty and the next cycle
 * starts the next day.
 */
function assessmentCycles(ctx: PenaltyContext): Penalty[] {
  const out: Penalty[] = [];
  let cycleStart = ctx.firstInputDay;
  let penaltyUntil = -Infinity;
  const penalizedMonths = new Set<number>();
  for (const d of ctx.days) {
    const day = isoToDay(d.date)!;
    const found = rulesOf(ctx, day, 'assessment_cycle');
    if (found.length === 0) continue;
    const { metric, rule } = found[0]!;
    if (day <= penaltyUntil) {
      d.status = 'n/a';
      d.note = 'not assessed: a penalty is running';
      continue;
    }
    if (d.window === null || isoToDay(d.window.from)! < cycleStart || d.window.partial) {
      d.status = 'n/a';
      d.note = `not assessed: the cycle that began ${dayToIso(cycleStart)} has no full window yet`;
      continue;
    }
    if (d.status !== 'fail') continue;
    const month = monthStart(day);
    if (rule.once_per_month && penalizedMonths.has(month)) {
      d.note = `failed; ${monthName(month)} was already penalized for this metric, so no penalty; a new cycle starts the next day`;
      cycleStart = day + 1;
      continue;
    }
    penalizedMonths.add(month);
    const length = Math.max(1, ...rule.consequences.map((c) => c.days ?? 1));
    penaltyUntil = day + length - 1;
    cycleStart = day + length;
    for (const c of rule.consequences) out.push(issue(ctx, day, metric, c, dayFailure(d, metric)));
  }
  return out;
}

export function totalsOf(penalties: readonly Penalty[]): Totals {
  const totals: Totals = { fines_cny: 0, points: 0, warnings: 0, restrictions: 0 };
  for (const p of penalties) {
    totals.fines_cny += p.amount_cny;
    totals.points += p.points;
    if (p.ledger !== undefined && p.points > 0) {
      totals.points_by_ledger ??= {};
      totals.points_by_ledger[p.ledger] = (totals.points_by_ledger[p.ledger] ?? 0) + p.points;
    }
    if (p.kind === 'warning') totals.warnings++;
    if (p.kind === 'restriction') totals.restrictions++;
  }
  return totals;
}
