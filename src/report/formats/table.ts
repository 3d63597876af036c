import Table from 'cli-table3';
import { keyFigureText, opSymbol, percent as pct } from './figures.js';
import type { AssessmentPeriod } from '../../metrics/periods.js';
import type { Projection } from '../../metrics/projections.js';
import type { Palette } from '../colors.js';
import { kindLabel, LABELS, metricLabel, type Labels, type Lang } from '../labels.js';

let L: Labels = LABELS.en;
let zh = false;
import type { AmountMetricReport, Counts, DayEntry, MetricReport, Penalty, Report, ShopReport, Totals } from '../model.js';

// Tables for people: may change freely (the JSON report is the contract). Formats, never computes.


function targetText(m: { target: { op: string; value: number; assumed?: boolean } }): string {
  const op = opSymbol(m.target.op);
  return `${op} ${pct(m.target.value)}${m.target.assumed ? ' (assumed)' : ''}`;
}

function statusText(status: string, p: Palette): string {
  if (status === 'pass') return p.pass(L.pass);
  if (status === 'fail') return p.fail(L.fail);
  return p.dim(L.na);
}

function newTable(head: string[], p: Palette): Table.Table {
  return new Table({
    head: head.map((h) => p.bold(h)),
    style: { head: [], border: [], compact: false },
  });
}

function periodText(period: AssessmentPeriod): string {
  if (period.kind === 'month') return 'the calendar month (month to date)';
  if (period.days === 1 && !period.offset) return 'the day';
  const days = `${period.days} day${period.days === 1 ? '' : 's'}`;
  return period.offset ? `${days} ending ${period.offset} day${period.offset === 1 ? '' : 's'} before` : `the last ${days}`;
}

function windowHeading(period: AssessmentPeriod): string {
  if (period.kind === 'month') return L.monthToDate;
  if (period.days === 1 && !period.offset) return L.dayAssessed;
  return period.offset ? `T-${period.days + period.offset - 1}..T-${period.offset}` : `${period.days}-day window`;
}

function countCells(c: Counts): string[] {
  return [String(c.eligible), String(c.passed), String(c.pending), pct(c.rate)];
}

function windowCell(d: DayEntry): string {
  if (d.window === null) return '–';
  const w = d.window;
  const span = `${w.days}d${w.partial ? '*' : ''}`;
  return `${pct(w.rate)} (${w.passed}/${w.eligible}, ${span})`;
}

function excludedText(excluded: Record<string, number>): string {
  const parts = Object.entries(excluded).map(([reason, n]) => `${reason} ${n}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

function projectionLines(projection: Projection | undefined, p: Palette): string[] {
  if (!projection) return [];
  const mark = projection.achievable === false ? p.fail(L.projection) : p.bold(L.projection);
  return [`  ${mark} (${L.asOf} ${projection.as_of}; ${L.assumes} ${projection.assumption}):`, ...projection.statements.map((s) => `    ${s}`)];
}

function hoursText(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(2)} h`;
}

function amountSection(m: AmountMetricReport, p: Palette): string {
  const lines: string[] = [];
  const op = opSymbol(m.target.op);
  const scope = [`target ${op} ${m.target.value} h a day over ${periodText(m.assessment.period)}`, `${m.window_hours.from}-${m.window_hours.to}`];
  lines.push(p.bold(`${zh ? m.name.zh : `${m.name.zh} ${m.name.en}`} [${m.id}]`) + p.dim(` — ${scope.join(', ')}`));
  const days = newTable([L.date, L.hours, windowHeading(m.assessment.period), L.status], p);
  for (const d of m.days) {
    const w = d.window === null ? '–' : `${hoursText(d.window.value)} (${d.window.days}d${d.window.partial ? '*' : ''})`;
    days.push([d.date, hoursText(d.value), w, d.missing ? p.warn(L.missing) : statusText(d.status, p)]);
  }
  days.push([p.bold(L.average), hoursText(m.total.value), '', statusText(m.total.status, p)]);
  lines.push(days.toString());
  lines.push(...projectionLines(m.projection, p));
  if (m.days.some((d) => d.window?.partial)) {
    lines.push(p.dim('  * window reaches before the first day of the input: those days are unknown, not counted as zero'));
  }
  return lines.join('\n');
}

function metricSection(metric: MetricReport, p: Palette): string {
  if (metric.unit === 'hours') return amountSection(metric, p);
  const m = metric;
  const lines: string[] = [];
  const scope = [
    `target ${targetText(m)} over ${periodText(m.assessment.period)}`,
    `assessed from ${m.assessment.min_volume} ${m.unit}s`,
  ];
  if (m.window_hours) scope.push(`${m.window_hours.from}-${m.window_hours.to}`);
  if (m.threshold_seconds !== undefined) scope.push(`reply ≤ ${m.threshold_seconds} s`);
  lines.push(p.bold(`${zh ? m.name.zh : `${m.name.zh} ${m.name.en}`} [${m.id}]`) + p.dim(` — ${scope.join(', ')}`));

  const days = newTable([L.date, L.eligible, L.passed, L.pending, L.rate, windowHeading(m.assessment.period), L.status], p);
  for (const d of m.days) {
    const status = d.missing ? p.warn(L.missing) : statusText(d.status, p) + (d.note ? p.dim(' †') : '');
    days.push([d.date, ...countCells(d), windowCell(d), status]);
  }
  days.push([p.bold(L.total), ...countCells(m.total), '', statusText(m.total.status, p)]);
  lines.push(days.toString());
  if (m.days.some((d) => d.window?.partial)) {
    lines.push(p.dim('  * window reaches before the first day of the input: those days are unknown, not counted as zero'));
  }
  for (const d of m.days) if (d.note && !d.missing) lines.push(p.dim(`  † ${d.date}: ${d.note}`));
  if (m.days.some((d) => d.missing)) lines.push(p.warn(`  ${L.missing}: ${m.days.filter((d) => d.missing).map((d) => d.date).join(', ')} — no export covers these days; they are unknown, not zero`));
  lines.push(...projectionLines(m.projection, p));
  lines.push(p.dim(`  ${L.notCounted}: ${excludedText(m.total.excluded)}`));

  if (m.agents.length > 0) {
    const agents = newTable([L.agent, L.eligible, L.passed, L.pending, L.rate, L.vsTarget], p);
    for (const a of m.agents) {
      const meets = a.meets_target === null ? p.dim('–') : a.meets_target ? p.pass(L.meets) : p.fail(L.below);
      agents.push([a.agent, ...countCells(a), meets]);
    }
    lines.push(agents.toString());
  }
  return lines.join('\n');
}

function penaltyLines(penalties: Penalty[], metrics: ShopReport['metrics'], p: Palette): string[] {
  if (penalties.length === 0) return [p.pass(L.noPenalties)];
  const table = new Table({
    head: [L.date, L.metric, L.kind, L.amount, L.reason].map((h) => p.bold(h)),
    style: { head: [], border: [] },
    colWidths: [12, 28, 13, 10, 64],
    wordWrap: true,
  });
  for (const x of penalties) {
    const amount = x.kind === 'fine' ? `${x.amount_cny} CNY` : x.kind === 'points' ? `${x.points} pts` : x.days ? `${x.days} days` : '';
    const kind = x.kind === 'warning' ? p.warn(kindLabel(x.kind, L)) : p.fail(kindLabel(x.kind, L));
    table.push([x.date, metricLabel(x.metric, metrics, L), kind, amount, x.reason]);
  }
  return [table.toString()];
}

const DETAILS_SHOWN = 30;

/** --details: the failed and pending items, the first ones in a table. */
function detailLines(details: NonNullable<ShopReport['details']>, metrics: ShopReport['metrics'], p: Palette): string[] {
  const head = p.bold(`${L.items}: ${details.length}`);
  if (details.length === 0) return [head];
  const table = new Table({
    head: [L.metric, L.outcome, L.start, L.buyer, L.agent, L.reply, L.why].map((h) => p.bold(h)),
    style: { head: [], border: [] },
    colWidths: [22, 9, 21, 16, 18, 21, 44],
    wordWrap: true,
  });
  for (const d of details.slice(0, DETAILS_SHOWN)) {
    table.push([metricLabel(d.metric, metrics, L), d.outcome, d.start, d.buyer ?? '', d.agent, d.reply_time ?? '–', d.reason]);
  }
  const more = details.length > DETAILS_SHOWN ? [p.dim(`  … ${details.length - DETAILS_SHOWN} more: --format csv --details lists them all with their messages`)] : [];
  return [head, table.toString(), ...more];
}

/** RULES.md §8: conduct findings, the first ones quoted, and the counts per agent. */
function findingLines(s: ShopReport, p: Palette): string[] {
  const findings = s.findings ?? [];
  const penalized = findings.filter((f) => f.penalty !== undefined).length;
  const head = p.bold(`${L.findings}: ${findings.length}`) + (penalized > 0 ? p.fail(` (${penalized} ${L.penalized})`) : '');
  if (findings.length === 0) return [head];
  const table = new Table({
    head: [L.detector, L.time, L.agent, L.buyer, L.matched, L.message].map((h) => p.bold(h)),
    style: { head: [], border: [] },
    colWidths: [20, 21, 18, 14, 26, 40],
    wordWrap: true,
  });
  for (const f of findings.slice(0, DETAILS_SHOWN)) {
    const detector = f.penalty ? p.fail(f.detector) : f.detector;
    table.push([detector, f.time, f.agent, f.buyer, f.matched, f.message]);
  }
  const more = findings.length > DETAILS_SHOWN ? [p.dim(`  … ${findings.length - DETAILS_SHOWN} more: --format json or csv lists them all`)] : [];
  const agents = newTable([L.agent, L.findings, L.detector], p);
  for (const a of s.conduct?.agents ?? []) agents.push([a.agent, String(a.findings), Object.entries(a.by_detector).map(([d, n]) => `${d} ${n}`).join(', ')]);
  return [head, table.toString(), ...more, agents.toString()];
}

function totalsLine(t: Totals, p: Palette): string {
  const ledgers = t.points_by_ledger ? ` (${Object.entries(t.points_by_ledger).map(([l, n]) => `${l} ${n}`).join(', ')})` : '';
  const text = `${L.totals}: ${L.fines} ${t.fines_cny} CNY, ${L.points} ${t.points}${ledgers}, ${L.warnings} ${t.warnings}, ${L.restrictions} ${t.restrictions}`;
  return t.fines_cny > 0 || t.points > 0 || t.restrictions > 0 ? p.fail(text) : t.warnings > 0 ? p.warn(text) : text;
}

function shopSection(s: ShopReport, p: Palette, withHeading: boolean): string {
  const parts: string[] = [];
  if (withHeading) parts.push(p.bold(`== ${L.shop} ${s.shop} ==`));
  for (const m of s.metrics) parts.push(metricSection(m, p));
  parts.push([p.bold(L.penalties), ...penaltyLines(s.penalties, s.metrics, p), totalsLine(s.totals, p)].join('\n'));
  if (s.details !== undefined) parts.push(detailLines(s.details, s.metrics, p).join('\n'));
  if (s.findings !== undefined) parts.push(findingLines(s, p).join('\n'));
  return parts.join('\n\n');
}

/** Several shops: one row each (key figures vs target, penalties, fines) before the shops' own sections. */
function portfolioSection(report: Report, p: Palette): string {
  const metrics = report.shops[0]!.metrics;
  const head = [L.shop, L.platform, ...metrics.map((m) => metricLabel(m.id, metrics, L)), L.penalties, L.fines];
  const table = newTable(head, p);
  for (const s of report.shops) {
    const cells = s.summary.map((f) => {
      const { value, target } = keyFigureText(f);
      return `${value} ${p.dim(target)} ${statusText(f.status, p)}`;
    });
    const fines = s.totals.fines_cny > 0 ? p.fail(`${s.totals.fines_cny} CNY`) : '0 CNY';
    table.push([s.shop, report.platform, ...cells, String(s.penalties.length), fines]);
  }
  return [p.bold(`${L.portfolio}: ${report.shops.length}`), table.toString()].join('\n');
}

export function formatTable(report: Report, p: Palette, lang: Lang = 'en'): string {
  L = LABELS[lang];
  zh = lang === 'zh';
  const out: string[] = [];
  const period = report.period.from === null ? 'no data' : `${report.period.from} … ${report.period.to}`;
  const platform = report.platform_name ? (zh ? report.platform_name.zh : `${report.platform_name.en} ${report.platform_name.zh}`) : report.platform;
  out.push(
    p.bold(`cs-audit ${platform}`) +
      ` · rules ${report.rules.versions.map((v) => v.version).join(', ') || report.rules.version}` +
      ` · ${period} · ${report.timezone}`,
  );
  const i = report.input;
  const inputLine = `Input: ${i.messages} records from ${i.files.length} file${i.files.length === 1 ? '' : 's'}`;
  const extras = [
    i.bad_rows > 0 ? p.warn(`${i.bad_rows} bad row${i.bad_rows === 1 ? '' : 's'} (listed on stderr)`) : null,
    i.duplicates > 0 ? `${i.duplicates} duplicate${i.duplicates === 1 ? '' : 's'} merged` : null,
  ].filter((x): x is string => x !== null);
  out.push(extras.length > 0 ? `${inputLine}; ${extras.join('; ')}` : inputLine);
  if (report.shops.length === 0) out.push('', L.noMessages);
  if (report.shops.length > 1) out.push('', portfolioSection(report, p));
  for (const s of report.shops) out.push('', shopSection(s, p, report.shops.length > 1));
  if (report.shops.length > 1) out.push('', p.bold(L.allShops), totalsLine(report.totals, p));
  return `${out.join('\n')}\n`;
}
