import type { MetricReport } from './model.js';

/** One metric's headline figure for the portfolio summary: what the platform looks at last. */
export interface KeyFigure {
  metric: string;
  /** A rate in [0, 1] for ratio metrics, hours for amount metrics; null when nothing is assessed. */
  value: number | null;
  unit: MetricReport['unit'];
  target: { op: string; value: number };
  status: 'pass' | 'fail' | 'n/a';
  /** `window`: the last reported day's assessed window; `total`: the period's. */
  basis: 'window' | 'total';
  as_of: string | null;
}

/**
 * The figure a shop owner checks first: the last reported day's assessed window (e.g. Tmall's 30
 * days, Xiaohongshu's T-7..T-1), else the period's total. Chosen here, once, so every format and
 * `cs-audit merge` show the same thing.
 */
export function keyFigures(metrics: readonly MetricReport[]): KeyFigure[] {
  return metrics.map((m): KeyFigure => {
    const target = { op: m.target.op, value: m.target.value };
    if (m.unit === 'hours') {
      const last = m.days.at(-1) ?? null;
      if (last !== null && last.window !== null) {
        return { metric: m.id, value: last.window.value, unit: m.unit, target, status: last.status, basis: 'window', as_of: last.date };
      }
      return { metric: m.id, value: m.total.value, unit: m.unit, target, status: m.total.status, basis: 'total', as_of: last?.date ?? null };
    }
    const last = m.days.at(-1) ?? null;
    if (last !== null && last.window !== null) {
      return { metric: m.id, value: last.window.rate, unit: m.unit, target, status: last.status, basis: 'window', as_of: last.date };
    }
    return { metric: m.id, value: m.total.rate, unit: m.unit, target, status: m.total.status, basis: 'total', as_of: last?.date ?? null };
  });
}
