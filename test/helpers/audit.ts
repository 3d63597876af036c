import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { audit, type AuditOptions } from '../../src/audit.js';
import type { AmountMetricReport, DayEntry, RatioMetricReport, Report } from '../../src/report/model.js';
import { PLATFORMS_DIR } from '../../src/rules/load-pack.js';
import type { Pack } from '../../src/rules/pack-types.js';

/** Strip the common indentation of a template literal so tests can indent their CSV. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return `${lines.map((l) => l.slice(indent)).join('\n')}\n`;
}

/** Audit a hand-written canonical CSV chat log (header included) read from standard input. */
export async function auditCsv(csv: string, options: Partial<AuditOptions> = {}): Promise<Report> {
  return audit({
    platform: 'tmall',
    rulesFile: null,
    inputs: ['-'],
    tz: null,
    from: null,
    to: null,
    strict: false,
    stdin: Readable.from([Buffer.from(dedent(csv))]),
    ...options,
  });
}

/** Audit chat files on disk, as the CLI would. */
export async function auditFiles(inputs: string[], options: Partial<AuditOptions> = {}): Promise<Report> {
  return audit({
    platform: 'tmall',
    rulesFile: null,
    inputs,
    tz: null,
    from: null,
    to: null,
    strict: false,
    stdin: Readable.from([]),
    ...options,
  });
}

/** What the rules decided, without where the rows came from (files, lines, row counts). */
export function verdict(r: Report): unknown {
  // Findings quote where a message was read (file and line): that is not part of the verdict.
  const shops = r.shops.map((s) => ({ ...s, findings: s.findings?.map(({ origin: _origin, ...f }) => f) }));
  return { period: r.period, metrics: r.metrics, penalties: r.penalties, totals: r.totals, shops };
}

export function metric(report: Report, id: string): RatioMetricReport {
  const m = report.metrics.find((x) => x.id === id);
  if (!m) throw new Error(`no metric ${id} in report`);
  if (m.unit === 'hours') throw new Error(`${id} is an amount metric: use amountMetric()`);
  return m;
}

export function amountMetric(report: Report, id: string): AmountMetricReport {
  const m = report.metrics.find((x) => x.id === id);
  if (!m || m.unit !== 'hours') throw new Error(`no amount metric ${id} in report`);
  return m;
}

export function day(report: Report, id: string, date: string): DayEntry {
  const d = metric(report, id).days.find((x) => x.date === date);
  if (!d) throw new Error(`no day ${date} for ${id}`);
  return d;
}

/** eligible / passed / pending of one day, for compact assertions. */
export function counts(report: Report, id: string, date: string): { eligible: number; passed: number; pending: number } {
  const d = day(report, id, date);
  return { eligible: d.eligible, passed: d.passed, pending: d.pending };
}

/** A copy of a built-in pack, for tests that change one value. */
export function builtInPack(id: string): Pack {
  return JSON.parse(readFileSync(`${PLATFORMS_DIR}/${id}.json`, 'utf8')) as Pack;
}
