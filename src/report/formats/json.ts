import type { Report } from '../model.js';

/** REPORT.md's contract, as is. */
export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
