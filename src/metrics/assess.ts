import type { AgentEntry, Counts, DayEntry, RatioMetricReport, TotalEntry, WindowEntry } from '../report/model.js';
import type { RatioMetricRule } from '../rules/pack-types.js';
import type { RuleSet } from '../rules/rule-set.js';
import { dayToIso } from '../time/zone.js';
import type { ItemCounter } from './item-counter.js';
import { periodSpan } from './periods.js';
import { periodStatus } from './period-status.js';
import { addInto, emptyTally, judge, meetsTarget, rate, type Tally } from './tally.js';

/** Days no export covered (history runs); none in a single run. */
export const NO_DAYS: ReadonlySet<number> = new Set();

export const MISSING_NOTE = 'missing data: no export covers this day (unknown, not zero)';

export interface Span {
  /** First and last reported day (inclusive). */
  from: number;
  to: number;
  /** First day the input covers: earlier days are unknown, never zero (RULES.md §1 Period). */
  firstInputDay: number;
}

export function ratioRuleAt(rules: RuleSet, metricId: string, day: number): RatioMetricRule | null {
  const rule = rules.metricAt(metricId, day);
  return rule !== null && rule.kind !== 'online_hours' ? rule : null;
}

function counts(t: Tally): Counts {
  return { eligible: t.eligible, passed: t.passed, pending: t.pending, rate: rate(t) };
}

/**
 * Each day from `from` to `to` with its own counts, its window and its status (judged on the
 * window, by the version in force that day).
 */
export function assessDays(
  counter: ItemCounter,
  metricId: string,
  rules: RuleSet,
  from: number,
  to: number,
  firstInputDay: number,
  missing: ReadonlySet<number> = NO_DAYS,
): DayEntry[] {
  const days: DayEntry[] = [];
  for (let day = from; day <= to; day++) {
    const rule = ratioRuleAt(rules, metricId, day);
    const own = counter.days.peek(day) ?? emptyTally();
    const excluded = Object.fromEntries([...(counter.excluded.get(day) ?? new Map<string, number>())].sort());
    const version = rules.versionAt(day).version;
    if (missing.has(day)) {
      // A gap in the history is never a quiet day: not assessed, and said so.
      days.push({ date: dayToIso(day), missing: true, ...counts(own), status: 'n/a', window: null, excluded, version, note: MISSING_NOTE });
      continue;
    }
    if (rule === null) {
      days.push({ date: dayToIso(day), ...counts(own), status: 'n/a', window: null, excluded, version });
      continue;
    }
    const window = windowOf(counter, periodSpan(rule.assessment.period.value, day), firstInputDay, missing);
    const status = window ? judge(window.tally, rule.target, rule.assessment.min_volume.value) : 'n/a';
    const agents = agentsOn(counter, day, rule);
    days.push({ date: dayToIso(day), ...counts(own), status, window: window?.entry ?? null, excluded, version, agents });
  }
  return days;
}

/** The day's counts per account, for per-agent, per-day views (e.g. the CSV report). */
function agentsOn(counter: ItemCounter, day: number, rule: RatioMetricRule): AgentEntry[] {
  const out: AgentEntry[] = [];
  for (const [agent, perDay] of counter.agents) {
    const t = perDay.peek(day);
    if (!t || t.eligible + t.pending === 0) continue;
    out.push({ agent, ...counts(t), meets_target: t.eligible === 0 ? null : meetsTarget(t, rule.target) });
  }
  return out.sort((a, b) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
}

/**
 * One metric's report entry: the reported days (already assessed, penalties applied), per-agent
 * counts and the period total.
 */
export function metricReport(counter: ItemCounter, metricId: string, rules: RuleSet, span: Span, days: DayEntry[]): RatioMetricReport {
  const latest = ratioRuleAt(rules, metricId, span.to) ?? (rules.latestMetric(metricId) as RatioMetricRule);
  const total = emptyTally();
  const totalExcluded = new Map<string, number>();
  for (const d of days) {
    addInto(total, d);
    for (const [reason, n] of Object.entries(d.excluded)) totalExcluded.set(reason, (totalExcluded.get(reason) ?? 0) + n);
  }

  const agents: AgentEntry[] = [];
  for (const [agent, perDay] of counter.agents) {
    const t = emptyTally();
    for (const [day, tally] of perDay.entries()) if (day >= span.from && day <= span.to) addInto(t, tally);
    if (t.eligible + t.pending > 0) {
      agents.push({ agent, ...counts(t), meets_target: t.eligible === 0 ? null : meetsTarget(t, latest.target) });
    }
  }
  agents.sort((a, b) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));

  const totalEntry: TotalEntry = {
    ...counts(total),
    status: periodStatus(days, latest.assessment.period.value),
    excluded: Object.fromEntries([...totalExcluded].sort()),
  };
  const report: RatioMetricReport = {
    id: metricId,
    name: latest.name,
    unit: latest.unit,
    target: {
      op: latest.target.op,
      value: latest.target.value,
      ...(latest.target.assumed ? { assumed: true } : {}),
    },
    assessment: {
      period: latest.assessment.period.value,
      min_volume: latest.assessment.min_volume.value,
    },
    days,
    agents,
    total: totalEntry,
  };
  if (latest.kind === 'round_response' || latest.kind === 'session_response' || latest.kind === 'buyer_daily') {
    if (latest.threshold_seconds) report.threshold_seconds = latest.threshold_seconds.value;
    report.window_hours = { from: latest.window.from, to: latest.window.to };
  }
  return report;
}

function windowOf(
  counter: ItemCounter,
  nominal: { from: number; to: number },
  firstInputDay: number,
  missing: ReadonlySet<number>,
): { tally: Tally; entry: WindowEntry } | null {
  const from = Math.max(nominal.from, firstInputDay);
  if (from > nominal.to) return null;
  const tally = emptyTally();
  let gaps = 0;
  for (let d = from; d <= nominal.to; d++) {
    if (missing.has(d)) gaps++;
    const t = counter.days.peek(d);
    if (t) addInto(tally, t);
  }
  return {
    tally,
    entry: {
      from: dayToIso(from),
      to: dayToIso(nominal.to),
      days: nominal.to - from + 1,
      nominal_days: nominal.to - nominal.from + 1,
      partial: nominal.from < firstInputDay || gaps > 0,
      ...(gaps > 0 ? { missing_days: gaps } : {}),
      ...counts(tally),
    },
  };
}
