import { keyFigureText, opSymbol, percent as pct } from './figures.js';
import { kindLabel, LABELS, metricLabel, type Labels, type Lang } from '../labels.js';
import type { AmountMetricReport, MetricReport, RatioMetricReport, Report, ShopReport } from '../model.js';

let L: Labels = LABELS.en;

// The Markdown report (--format markdown), e.g. for a CI job summary. Formats only.

const icon = (status: string): string => (status === 'pass' ? `✅ ${L.pass}` : status === 'fail' ? `❌ ${L.fail}` : L.na);


/** Table cells: pipes and newlines would break the table. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function ratio(m: RatioMetricReport): string[] {
  const op = opSymbol(m.target.op);
  const out = [
    `### ${m.name.zh} ${m.name.en} (\`${m.id}\`) — target ${op} ${pct(m.target.value)}${m.target.assumed ? ' (assumed)' : ''}`,
    '',
    `| ${L.date} | ${L.eligible} | ${L.passed} | ${L.pending} | ${L.rate} | ${L.window} | ${L.status} |`,
    '| --- | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const d of m.days) {
    const w = d.window === null ? '–' : `${pct(d.window.rate)} (${d.window.passed}/${d.window.eligible})`;
    const status = d.missing ? `⚠️ ${L.missing}` : `${icon(d.status)}${d.note ? ` — ${cell(d.note)}` : ''}`;
    out.push(`| ${d.date} | ${d.eligible} | ${d.passed} | ${d.pending} | ${pct(d.rate)} | ${w} | ${status} |`);
  }
  out.push(`| **${L.total}** | ${m.total.eligible} | ${m.total.passed} | ${m.total.pending} | ${pct(m.total.rate)} | | ${icon(m.total.status)} |`);
  return out;
}

function amount(m: AmountMetricReport): string[] {
  const op = opSymbol(m.target.op);
  const h = (v: number | null) => (v === null ? '–' : `${v.toFixed(2)} h`);
  const out = [`### ${m.name.zh} ${m.name.en} (\`${m.id}\`) — target ${op} ${m.target.value} h a day`, '', `| ${L.date} | ${L.hours} | ${L.window} | ${L.status} |`, '| --- | ---: | --- | --- |'];
  for (const d of m.days) out.push(`| ${d.date} | ${h(d.value)} | ${d.window === null ? '–' : h(d.window.value)} | ${d.missing ? `⚠️ ${L.missing}` : icon(d.status)} |`);
  out.push(`| **${L.average}** | ${h(m.total.value)} | | ${icon(m.total.status)} |`);
  return out;
}

function metric(m: MetricReport): string[] {
  return m.unit === 'hours' ? amount(m) : ratio(m);
}

function shop(s: ShopReport, heading: boolean): string[] {
  const out: string[] = heading ? [`## ${s.shop}`, ''] : [];
  for (const m of s.metrics) out.push(...metric(m), '');
  out.push(`#### ${L.penalties}`, '');
  if (s.penalties.length === 0) out.push(L.noPenalties);
  else {
    out.push(`| ${L.date} | ${L.metric} | ${L.kind} | ${L.amount} | ${L.reason} |`, '| --- | --- | --- | --- | --- |');
    for (const p of s.penalties) {
      const amountText = p.kind === 'fine' ? `${p.amount_cny} CNY` : p.kind === 'points' ? `${p.points} points` : p.days ? `${p.days} days` : '';
      out.push(`| ${p.date} | ${metricLabel(p.metric, s.metrics, L)} | ${kindLabel(p.kind, L)} | ${amountText} | ${cell(p.reason)} |`);
    }
  }
  if (s.findings !== undefined) {
    out.push('', `#### ${L.findings}: ${s.findings.length}`, '');
    if (s.findings.length > 0) {
      out.push(`| ${L.detector} | ${L.time} | ${L.agent} | ${L.buyer} | ${L.matched} | ${L.message} |`, '| --- | --- | --- | --- | --- | --- |');
      for (const f of s.findings) {
        out.push(`| ${f.penalty ? `❌ ${f.detector}` : f.detector} | ${f.time} | ${cell(f.agent)} | ${cell(f.buyer)} | ${cell(f.matched)} | ${cell(f.message)} |`);
      }
    }
  }
  const t = s.totals;
  out.push('', `**${L.totals}:** ${L.fines} ${t.fines_cny} CNY, ${L.points} ${t.points}, ${L.warnings} ${t.warnings}, ${L.restrictions} ${t.restrictions}`, '');
  return out;
}

/** Several shops: one row each (each metric's headline figure vs target, penalties, fines) first. */
function portfolio(report: Report): string[] {
  const metrics = report.shops[0]!.metrics;
  const out = [
    `## ${L.portfolio}`,
    '',
    `| ${L.shop} | ${L.platform} | ${metrics.map((m) => metricLabel(m.id, metrics, L)).join(' | ')} | ${L.penalties} | ${L.fines} |`,
    `| --- | --- | ${metrics.map(() => '---').join(' | ')} | ---: | ---: |`,
  ];
  for (const s of report.shops) {
    const figures = s.summary.map((f) => {
      const { value, target } = keyFigureText(f);
      return `${value} (${target}) ${icon(f.status)}`;
    });
    out.push(`| ${cell(s.shop)} | ${report.platform} | ${figures.join(' | ')} | ${s.penalties.length} | ${s.totals.fines_cny} CNY |`);
  }
  return out;
}

export function formatMarkdown(report: Report, lang: Lang = 'en'): string {
  L = LABELS[lang];
  const out = [
    `# cs-audit ${report.platform}: ${report.period.from ?? '–'} … ${report.period.to ?? '–'}`,
    '',
    `Rules ${report.rules.versions.map((v) => v.version).join(', ') || report.rules.version} · ${report.timezone} · ` +
      `${report.input.messages} records, ${report.input.bad_rows} bad rows`,
    '',
  ];
  if (report.shops.length > 1) out.push(...portfolio(report), '');
  for (const s of report.shops) out.push(...shop(s, report.shops.length > 1));
  if (report.shops.length > 1) {
    const t = report.totals;
    out.push(`**All shops:** fines ${t.fines_cny} CNY, points ${t.points}, warnings ${t.warnings}, restrictions ${t.restrictions}`, '');
  }
  return out.join('\n');
}
