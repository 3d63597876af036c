import type { MetricReport, Penalty, Totals } from '../report/model.js';
import type { RuleSet } from '../rules/rule-set.js';
import { isoToDay } from '../time/zone.js';

function percent(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(2)}%`;
}

/**
 * RULES.md §1 Penalty dates: a failing assessment yields the pack's consequences on the day
 * it fails, each saying which clause and which numbers triggered it.
 */
export function penaltiesOf(metric: MetricReport, rules: RuleSet, shop: string | null): Penalty[] {
  const penalties: Penalty[] = [];
  for (const day of metric.days) {
    if (day.status !== 'fail' || day.window === null) continue;
    const rule = rules.metricAt(metric.id, isoToDay(day.date)!);
    if (rule === null) continue;
    const w = day.window;
    const windowText = w.from === w.to ? w.to : `${w.from}..${w.to}`;
    const partial = w.partial ? ` (only ${w.days} of ${w.nominal_days} days in the input)` : '';
    for (const c of rule.on_fail) {
      penalties.push({
        ...(shop === null ? {} : { shop }),
        date: day.date,
        metric: metric.id,
        kind: c.kind,
        amount_cny: c.kind === 'fine' ? (c.amount_cny ?? 0) : 0,
        points: c.kind === 'points' ? (c.points ?? 0) : 0,
        ...(c.days === undefined ? {} : { days: c.days }),
        clause: `${rule.name.zh} ${rule.name.en}: ${c.clause} [${c.source}]`,
        reason:
          `${rule.name.en} over ${windowText}${partial}: ${w.passed}/${w.eligible} = ${percent(w.rate)}, ` +
          `target ${rule.target.op} ${percent(rule.target.value)} (assessed from ${rule.assessment.min_volume.value} ${rule.unit}s) [${rule.target.source}]`,
      });
    }
  }
  return penalties;
}

export function totalsOf(penalties: readonly Penalty[]): Totals {
  const totals: Totals = { fines_cny: 0, points: 0, warnings: 0, restrictions: 0 };
  for (const p of penalties) {
    totals.fines_cny += p.amount_cny;
    totals.points += p.points;
    if (p.kind === 'warning') totals.warnings++;
    if (p.kind === 'restriction') totals.restrictions++;
  }
  return totals;
}
