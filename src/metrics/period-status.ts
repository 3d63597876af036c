import type { AssessmentPeriod } from './periods.js';
import type { Status } from './tally.js';

/**
 * The period's status, from the days' own assessments (not from a sum the platform never makes):
 * `fail` when a decisive day failed, `pass` when one passed and none failed, else `n/a`. Every day
 * is decisive for daily and rolling assessments; for calendar months, the last reported day of
 * each month (earlier days are month-to-date previews).
 */
export function periodStatus(days: readonly { date: string; status: Status }[], period: AssessmentPeriod): Status {
  let decisive = days;
  if (period.kind === 'month') {
    decisive = days.filter((d, i) => i === days.length - 1 || days[i + 1]!.date.slice(0, 7) !== d.date.slice(0, 7));
  }
  if (decisive.some((d) => d.status === 'fail')) return 'fail';
  return decisive.some((d) => d.status === 'pass') ? 'pass' : 'n/a';
}

