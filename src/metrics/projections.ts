import type { AmountMetricReport, DayEntry, RatioMetricReport } from '../report/model.js';
import type { RuleSet } from '../rules/rule-set.js';
import { dayToIso as isoDate, isoToDay } from '../time/zone.js';
import { monthEnd } from './periods.js';

/**
 * What the rest of the assessment period must look like (issue 5 §2), as of the last reported
 * day, assuming that day's volume continues. Only for rolling and monthly assessments with a
 * "≥" target: statements, and whether the target can still be met.
 */
export interface Projection {
  as_of: string;
  assumption: string;
  achievable: boolean | null;
  statements: string[];
}

function pct(x: number): string {
  return `${Number((x * 100).toFixed(2))}%`;
}

/** Monthly ladders: how many of the month's allowed failing days are used. */
function ladderStatements(metricId: string, days: readonly { date: string; status: string }[], rules: RuleSet): string[] {
  const last = days.at(-1);
  if (!last) return [];
  const out: string[] = [];
  const rule = rules.metricAt(metricId, isoToDay(last.date)!);
  for (const ladder of rule?.penalties ?? []) {
    if (ladder.when !== 'failing_days_in_month') continue;
    const month = last.date.slice(0, 7);
    const used = days.filter((d) => d.date.startsWith(month) && d.date <= last.date && d.status === 'fail').length;
    const fine = ladder.consequences.map((c) => (c.kind === 'fine' ? `${c.amount_cny} CNY` : c.kind)).join(' and ');
    if (used >= ladder.count) out.push(`${used} failing days in ${month}: the ${fine} for ${ladder.count} is due.`);
    else if (used === ladder.count - 1) out.push(`${used} of ${ladder.count} failing days used in ${month}: one more costs ${fine}.`);
    else out.push(`${used} of ${ladder.count} failing days used in ${month}.`);
  }
  return out;
}

/** The volume to project with: the last day's, or when it had none, the window's daily average. */
function volumeOf(days: readonly { date: string; eligible: number }[], from: string, to: string): { v: number; said: string } {
  const inWindow = days.filter((d) => d.date >= from && d.date <= to);
  const last = inWindow.at(-1);
  if (last && last.eligible > 0) return { v: last.eligible, said: `the last day's volume (${last.eligible}) continues` };
  const total = inWindow.reduce((n, d) => n + d.eligible, 0);
  const v = inWindow.length === 0 ? 0 : Math.round(total / inWindow.length);
  return { v, said: `the window's average daily volume (${v}) continues` };
}

export function projectRatio(m: RatioMetricReport, rules: RuleSet, allDays: readonly DayEntry[] = m.days): Projection | null {
  const last = m.days.at(-1);
  if (!last || last.window === null || m.target.op !== '>=') return null;
  const day = isoToDay(last.date)!;
  const t = m.target.value;
  const { passed: p, eligible: e } = last.window;
  const unit = `${m.unit}s`;
  const { v: volume, said } = volumeOf(allDays, last.window.from, last.date);
  const statements: string[] = [];
  let achievable: boolean | null = null;
  const period = m.assessment.period;
  if (period.kind === 'month') {
    const remaining = monthEnd(day) - day;
    const V = volume * remaining;
    const need = Math.max(0, Math.ceil(t * (e + V) - p - 1e-9));
    if (remaining === 0) {
      statements.push(`The month ends today: ${p}/${e} = ${pct(e === 0 ? 0 : p / e)} against ${pct(t)}.`);
      achievable = e > 0 && p >= t * e - 1e-9;
    } else if (volume === 0) {
      statements.push(`No volume to project with: ${p}/${e} so far this month against ${pct(t)}.`);
    } else if (need > V) {
      achievable = false;
      statements.push(
        `The target can no longer be met this month: even with all of the next ${V} ${unit} (${remaining} days at ${volume} a day) on time, ${p + V}/${e + V} = ${pct((p + V) / (e + V))} < ${pct(t)}.`,
      );
    } else {
      achievable = true;
      statements.push(`To end the month at ${pct(t)}: ${need} of the next ${V} ${unit} (${remaining} days at ${volume} a day) must pass (${pct(V === 0 ? 1 : need / V)}).`);
    }
  } else if (e > 0 && p >= t * e - 1e-9) {
    achievable = true;
    statements.push(`The window meets ${pct(t)}: ${p}/${e} = ${pct(p / e)}.`);
  } else if (volume > 0) {
    // The window moves: day by day its oldest day drops out and a new day comes in. Find the
    // first day on which it reaches the target if every new item is on time.
    const n = period.days;
    const offset = period.offset ?? 0;
    const counts = new Map(allDays.map((d) => [d.date, d]));
    for (let k = 1; k <= 90; k++) {
      const to = day + k - offset;
      let kp = 0;
      let ke = 0;
      let future = 0;
      for (let d = to - n + 1; d <= to; d++) {
        if (d > day) {
          kp += volume;
          ke += volume;
          future++;
        } else {
          const c = counts.get(isoDate(d));
          if (c) {
            kp += c.passed;
            ke += c.eligible;
          }
        }
      }
      if (ke > 0 && kp >= t * ke - 1e-9) {
        achievable = true;
        statements.push(
          `To reach ${pct(t)} over the window: all of the next ${future * volume} ${unit} on time (${future} day${future === 1 ? '' : 's'} at ${volume} a day); the window of ${isoDate(day + k)} would then be ${kp}/${ke} = ${pct(kp / ke)}.`,
        );
        break;
      }
    }
    if (achievable === null) statements.push(`The window does not reach ${pct(t)} within 90 days even with every new ${m.unit} on time.`);
  }
  statements.push(...ladderStatements(m.id, allDays, rules));
  if (statements.length === 0) return null;
  return { as_of: last.date, assumption: said, achievable, statements };
}

export function projectAmount(m: AmountMetricReport, rules: RuleSet, allDays: readonly { date: string; status: string }[] = m.days): Projection | null {
  const last = m.days.at(-1);
  if (!last) return null;
  if (last.window === null || m.target.op !== '>=' || m.assessment.period.kind !== 'month') {
    const ladder = ladderStatements(m.id, allDays, rules);
    return ladder.length === 0 ? null : { as_of: last.date, assumption: 'nothing about later days', achievable: null, statements: ladder };
  }
  const day = isoToDay(last.date)!;
  const remaining = monthEnd(day) - day;
  const known = last.window.days;
  const sum = last.window.value * known;
  const needed = remaining === 0 ? 0 : (m.target.value * (known + remaining) - sum) / remaining;
  const [from, to] = [m.window_hours.from, m.window_hours.to].map((c) => Number(c.slice(0, 2)) + Number(c.slice(3, 5)) / 60);
  const max = to! - from!;
  const statements: string[] = [];
  let achievable: boolean | null;
  if (remaining === 0) {
    achievable = last.window.value >= m.target.value;
    statements.push(`The month ends today at ${last.window.value} h a day against ${m.target.value} h.`);
  } else if (needed > max) {
    achievable = false;
    statements.push(`The month's average can no longer reach ${m.target.value} h: the remaining ${remaining} days would need ${needed.toFixed(2)} h a day, more than the ${max} h window.`);
  } else {
    achievable = true;
    statements.push(`To end the month at ${m.target.value} h a day: ${Math.max(0, needed).toFixed(2)} h online a day for the remaining ${remaining} days.`);
  }
  statements.push(...ladderStatements(m.id, allDays, rules));
  return { as_of: last.date, assumption: 'online time of the remaining days of the month', achievable, statements };
}
