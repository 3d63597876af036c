import type { Report } from './report/model.js';

export const FAIL_ON = ['fail', 'penalty', 'fine'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** REPORT.md exit status 1: a failing status / any penalty / any fine, in any shop. */
export function failOnTriggered(report: Report, what: FailOn): boolean {
  switch (what) {
    case 'fail':
      return report.shops.some((s) =>
        s.metrics.some((m) => m.total.status === 'fail' || m.days.some((d) => d.status === 'fail')),
      );
    case 'penalty':
      return report.penalties.length > 0;
    case 'fine':
      return report.penalties.some((p) => p.kind === 'fine' && p.amount_cny > 0);
  }
}
