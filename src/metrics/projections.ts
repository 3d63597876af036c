import type { AmountMetricReport, RatioMetricReport } from '../report/model.js';
import type { RuleSet } from '../rules/rule-set.js';
import { isoToDay } from '../time/zone.js';
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
    const used = days.filter((d) => d.date.startsWith(month) && d.status === 'fail').length;
    const fine = ladder.consequences.map((c) => (c.kind === 'fine' ? `${c.amount_cny} CNY` : c.kind)).join(' and ');
    if (used >= ladder.count) out.push(`${used} failing days in ${month}: the ${fine} for ${ladder.count} is due.`);
    else if (used === ladder.count - 1) out.push(`${used} of ${ladder.count} failing days used in ${month}: one more costs ${fine}.`);
    else out.push(`${used} of ${ladder.count} failing days used in ${month}.`);
  }
  return out;
}

export function projectRatio(m: RatioMetricReport, rules: RuleSet): Projection | null {
  const last = m.days.at(-1);
  if (!last || last.window === null || m.target.op !== '>=') return null;
  const day = isoToDay(last.date)!;
  const t = m.target.value;
  const { passed: p, eligible: e } = last.window;
  const volume = last.eligible;
  const unit = `${m.unit}s`;
  const statements: string[] = [];
  let achievable: boolean | null = null;
  if (m.assessment.period.kind === 'month') {
    const remaining = monthEnd(day) - day;
    const V = volume * remaining;
    const need = Math.max(0, Math.ceil(t * (e + V) - p - 1e-9));
    if (remaining === 0) {
      statements.push(`The month ends today: ${p}/${e} = ${pct(e === 0 ? 0 : p / e)} against ${pct(t)}.`);
      achievable = e > 0 && p >= t * e - 1e-9;
    } else if (need > V) {
      achievable = false;
      statements.push(
        `The target can no longer be met this month: even with all of the next ${V} ${unit} (${remaining} days at today's ${volume}) on time, ${p + V}/${e + V} = ${pct((p + V) / (e + V))} < ${pct(t)}.`,
      );
    } else {
      achievable = true;
      statements.push(`To end the month at ${pct(t)}: ${need} of the next ${V} ${unit} (${remaining} days at today's ${volume}) must pass (${pct(V === 0 ? 1 : need / V)}).`);
    }
  } else if (t < 1) {
    const more = Math.max(0, Math.ceil((t * e - p) / (1 - t) - 1e-9));
    if (more > 0) {
      achievable = true;
      const days = volume > 0 ? Math.ceil(more / volume) : null;
      statements.push(
        `To reach ${pct(t)} over the window: ${more} more on-time ${unit} with no miss${days === null ? '' : ` (about ${days} day${days === 1 ? '' : 's'} at today's ${volume})`}; days leaving the window change this.`,
      );
    } else {
      const spare = Math.floor((p - t * e) / t + 1e-9);
      statements.push(`The window meets ${pct(t)}: ${spare} more failed ${unit} would still keep it there.`);
      achievable = true;
    }
  }
  statements.push(...ladderStatements(m.id, m.days, rules));
  if (statements.length === 0) return null;
  return { as_of: last.date, assumption: "the last day's volume continues", achievable, statements };
}

export function projectAmount(m: AmountMetricReport, rules: RuleSet): Projection | null {
  const last = m.days.at(-1);
  if (!last) return null;
  if (last.window === null || m.target.op !== '>=' || m.assessment.period.kind !== 'month') {
    const ladder = ladderStatements(m.id, m.days, rules);
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
  statements.push(...ladderStatements(m.id, m.days, rules));
  return { as_of: last.date, assumption: 'online time of the remaining days of the month', achievable, statements };
}
