import { keyFigureText, percent as pct } from './figures.js';
import { kindLabel, LABELS, metricLabel, type Labels, type Lang } from '../labels.js';
import type { AmountMetricReport, ItemDetail, MetricReport, RatioMetricReport, Report, ShopReport } from '../model.js';

let L: Labels = LABELS.en;

// The HTML report (--format html): one self-contained file (no scripts, no network) with a daily
// rate-vs-target chart and a per-agent chart for each metric, the penalties and, with --details,
// the failed items. Formats only: every number comes from the report. Every string from the
// input is escaped.

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}


const W = 720;
const H = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 42 };

/** Bars of a value per day (0..max) with a dashed target line; failing days red. */
function dayChart(points: { label: string; value: number | null; status: string }[], max: number, target: number, format: (v: number) => string, title: string): string {
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const bw = points.length === 0 ? 0 : iw / points.length;
  const y = (v: number) => PAD.top + ih - (Math.min(v, max) / max) * ih;
  const bars = points
    .map((p, i) => {
      if (p.value === null) return '';
      const x = PAD.left + i * bw + bw * 0.15;
      const cls = p.status === 'fail' ? 'bar fail' : p.status === 'pass' ? 'bar pass' : 'bar na';
      return `<rect class="${cls}" x="${x.toFixed(1)}" y="${y(p.value).toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${(PAD.top + ih - y(p.value)).toFixed(1)}"><title>${escapeHtml(p.label)}: ${escapeHtml(format(p.value))} (${escapeHtml(p.status)})</title></rect>`;
    })
    .join('');
  const labels = points
    .map((p, i) =>
      i % Math.max(1, Math.ceil(points.length / 12)) === 0
        ? `<text class="xlabel" x="${(PAD.left + i * bw + bw / 2).toFixed(1)}" y="${H - PAD.bottom + 14}">${escapeHtml(p.label.slice(5))}</text>`
        : '',
    )
    .join('');
  const ty = y(target).toFixed(1);
  return `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">
<line class="axis" x1="${PAD.left}" y1="${PAD.top + ih}" x2="${W - PAD.right}" y2="${PAD.top + ih}"/>
<text class="ylabel" x="${PAD.left - 6}" y="${PAD.top + 4}">${escapeHtml(format(max))}</text>
<text class="ylabel" x="${PAD.left - 6}" y="${PAD.top + ih}">0</text>
${bars}
<line class="target" x1="${PAD.left}" y1="${ty}" x2="${W - PAD.right}" y2="${ty}"/>
<text class="tlabel" x="${W - PAD.right}" y="${Number(ty) - 4}">target ${escapeHtml(format(target))}</text>
${labels}
</svg>`;
}

/** Horizontal bars of each agent's rate, with the target line. */
function agentChart(m: RatioMetricReport): string {
  const agents = m.agents.filter((a) => a.rate !== null);
  if (agents.length === 0) return '';
  const rowH = 22;
  const h = agents.length * rowH + 30;
  const left = 190;
  const iw = W - left - 60;
  const rows = agents
    .map((a, i) => {
      const w = (a.rate ?? 0) * iw;
      const cls = a.meets_target === false ? 'bar fail' : 'bar pass';
      return `<text class="alabel" x="${left - 8}" y="${i * rowH + 16}">${escapeHtml(a.agent)}</text><rect class="${cls}" x="${left}" y="${i * rowH + 4}" width="${w.toFixed(1)}" height="${rowH - 8}"><title>${escapeHtml(a.agent)}: ${a.passed}/${a.eligible}</title></rect><text class="vlabel" x="${(left + w + 4).toFixed(1)}" y="${i * rowH + 16}">${pct(a.rate)}</text>`;
    })
    .join('');
  const tx = (left + m.target.value * iw).toFixed(1);
  return `<svg class="chart agents" role="img" aria-label="per-agent ${escapeHtml(m.id)}" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}">${rows}<line class="target" x1="${tx}" y1="0" x2="${tx}" y2="${h - 20}"/><text class="tlabel" x="${tx}" y="${h - 6}">target ${pct(m.target.value)}</text></svg>`;
}

const statusWord = (status: string): string => (status === 'pass' ? L.pass : status === 'fail' ? L.fail : L.na);

function statusCell(status: string): string {
  return `<td class="status ${status === 'fail' ? 'fail' : status === 'pass' ? 'pass' : 'na'}">${statusWord(status)}</td>`;
}

/** A day no export covered says so (history runs): missing data, not a quiet day. */
function dayStatusCell(d: { status: string; missing?: boolean }): string {
  return d.missing ? `<td class="status na">${escapeHtml(L.missing)}</td>` : statusCell(d.status);
}

function ratioSection(m: RatioMetricReport): string {
  const chart = dayChart(
    m.days.map((d) => ({ label: d.date, value: d.window?.rate ?? null, status: d.status })),
    1,
    m.target.value,
    (v) => `${Math.round(v * 100)}%`,
    `${m.id} daily window rate vs target`,
  );
  const rows = m.days
    .map(
      (d) =>
        `<tr><td>${escapeHtml(d.date)}</td><td>${d.eligible}</td><td>${d.passed}</td><td>${d.pending}</td><td>${pct(d.rate)}</td><td>${d.window ? `${pct(d.window.rate)} (${d.window.passed}/${d.window.eligible})` : '–'}</td>${dayStatusCell(d)}</tr>`,
    )
    .join('');
  const projection = m.projection ? `<div class="projection"><b>${L.projection}</b> (${L.asOf} ${escapeHtml(m.projection.as_of)}; ${L.assumes} ${escapeHtml(m.projection.assumption)}): ${m.projection.statements.map(escapeHtml).join(' ')}</div>` : '';
  return `<section class="metric" id="${escapeHtml(m.id)}"><h3>${escapeHtml(m.name.zh)} ${escapeHtml(m.name.en)} <code>${escapeHtml(m.id)}</code></h3>
<p class="scope">${L.target} ${escapeHtml(m.target.op)} ${pct(m.target.value)}${m.target.assumed ? ` (${L.assumed})` : ''} · ${L.total} ${m.total.passed}/${m.total.eligible} = ${pct(m.total.rate)} · ${statusWord(m.total.status)}</p>
${chart}${agentChart(m)}${projection}
<table><thead><tr><th>${L.date}</th><th>${L.eligible}</th><th>${L.passed}</th><th>${L.pending}</th><th>${L.rate}</th><th>${L.window}</th><th>${L.status}</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function amountSection(m: AmountMetricReport): string {
  const max = Math.max(m.target.value * 1.5, ...m.days.map((d) => d.value ?? 0), 1);
  const chart = dayChart(
    m.days.map((d) => ({ label: d.date, value: d.value, status: d.status })),
    max,
    m.target.value,
    (v) => `${v.toFixed(1)} h`,
    `${m.id} hours per day vs target`,
  );
  const rows = m.days
    .map((d) => `<tr><td>${escapeHtml(d.date)}</td><td>${d.value === null ? '–' : `${d.value.toFixed(2)} h`}</td><td>${d.window ? `${d.window.value.toFixed(2)} h` : '–'}</td>${dayStatusCell(d)}</tr>`)
    .join('');
  return `<section class="metric" id="${escapeHtml(m.id)}"><h3>${escapeHtml(m.name.zh)} ${escapeHtml(m.name.en)} <code>${escapeHtml(m.id)}</code></h3>
<p class="scope">${L.target} ${escapeHtml(m.target.op)} ${m.target.value} h · ${L.average} ${m.total.value === null ? '–' : `${m.total.value.toFixed(2)} h`} · ${statusWord(m.total.status)}</p>
${chart}<table><thead><tr><th>${L.date}</th><th>${L.hours}</th><th>${L.window}</th><th>${L.status}</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function metricSection(m: MetricReport): string {
  return m.unit === 'hours' ? amountSection(m) : ratioSection(m);
}

function detailsTable(details: ItemDetail[], metrics: ShopReport['metrics']): string {
  if (details.length === 0) return '';
  const rows = details
    .map(
      (d) =>
        `<tr><td>${escapeHtml(metricLabel(d.metric, metrics, L))}</td><td>${escapeHtml(d.outcome)}</td><td>${escapeHtml(d.start)}</td><td>${escapeHtml(d.buyer)}</td><td>${escapeHtml(d.agent)}</td><td>${escapeHtml(d.text)}</td><td>${escapeHtml(d.reply_time ?? '–')}</td><td>${escapeHtml(d.reason)}</td></tr>`,
    )
    .join('');
  return `<h3>${L.items} (${details.length})</h3><table class="details"><thead><tr>${[L.metric, L.outcome, L.start, L.buyer, L.agent, L.message, L.reply, L.why].map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** RULES.md §8: every finding with the matched text, penalized ones marked. */
function findingsSection(s: ShopReport): string {
  if (s.findings === undefined) return '';
  const rows = s.findings
    .map((f) => `<tr${f.penalty ? ' class="penalized"' : ''}><td>${escapeHtml(f.detector)}</td><td>${escapeHtml(f.time)}</td><td>${escapeHtml(f.agent)}</td><td>${escapeHtml(f.buyer)}</td><td><mark>${escapeHtml(f.matched)}</mark></td><td>${escapeHtml(f.message)}</td></tr>`)
    .join('');
  const head = [L.detector, L.time, L.agent, L.buyer, L.matched, L.message].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  return `<section class="findings"><h3>${escapeHtml(L.findings)}: ${s.findings.length}</h3>${s.findings.length > 0 ? `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>` : ''}</section>`;
}

function shopSection(s: ShopReport, heading: boolean): string {
  const penalties =
    s.penalties.length === 0
      ? `<p class="none">${L.noPenalties}</p>`
      : `<table class="penalties"><thead><tr><th>${L.date}</th><th>${L.metric}</th><th>${L.kind}</th><th>${L.amount}</th><th>${L.reason}</th></tr></thead><tbody>${s.penalties
          .map(
            (p) =>
              `<tr><td>${escapeHtml(p.date)}</td><td>${escapeHtml(metricLabel(p.metric, s.metrics, L))}</td><td class="kind ${escapeHtml(p.kind)}">${escapeHtml(kindLabel(p.kind, L))}</td><td>${p.kind === 'fine' ? `${p.amount_cny} CNY` : p.kind === 'points' ? `${p.points} points` : p.days ? `${p.days} days` : ''}</td><td>${escapeHtml(p.reason)}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const t = s.totals;
  return `<section class="shop">${heading ? `<h2>${escapeHtml(s.shop)}</h2>` : ''}${s.metrics.map(metricSection).join('')}
<h3>${L.penalties}</h3>${penalties}
<p class="totals">${L.totals}: ${L.fines} ${t.fines_cny} CNY, ${L.points} ${t.points}, ${L.warnings} ${t.warnings}, ${L.restrictions} ${t.restrictions}</p>${detailsTable(s.details ?? [], s.metrics)}${findingsSection(s)}</section>`;
}

const STYLE = `body{font-family:-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#1d2433}
h1{font-size:20px}h2{font-size:18px;border-bottom:1px solid #ccd}h3{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}td,th{border:1px solid #dde;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.details td,.penalties td,.details th,.penalties th{text-align:left}
.status.pass{color:#176a2c}.status.fail{color:#b3261e;font-weight:bold}.status.na{color:#888}
.bar.pass{fill:#4c9f70}.bar.fail{fill:#d9534f}.bar.na{fill:#b8bcc6}.target{stroke:#333;stroke-dasharray:5 4}
.axis{stroke:#999}.xlabel{font-size:10px;text-anchor:middle;fill:#555}.ylabel{font-size:10px;text-anchor:end;fill:#555}
.tlabel{font-size:11px;text-anchor:end;fill:#333}.alabel{font-size:11px;text-anchor:end}.vlabel{font-size:11px}
.scope,.totals{color:#444}.projection{background:#f4f6fb;padding:6px 10px;margin:6px 0;font-size:13px}.kind.fine,.kind.restriction{color:#b3261e}`;

/** Several shops: one row each (each metric's headline figure vs target, penalties, fines) first. */
function portfolioSection(report: Report): string {
  const metrics = report.shops[0]!.metrics;
  const rows = report.shops.map((s) => {
    const figures = s.summary.map((f) => {
      const { value, target } = keyFigureText(f);
      return `<td>${escapeHtml(`${value} (${target})`)}</td>${statusCell(f.status)}`;
    });
    return `<tr><td>${escapeHtml(s.shop)}</td><td>${escapeHtml(report.platform)}</td>${figures.join('')}<td>${s.penalties.length}</td><td>${s.totals.fines_cny} CNY</td></tr>`;
  });
  const heads = [L.shop, L.platform].map((h) => `<th>${escapeHtml(h)}</th>`).join('') +
    metrics.map((m) => `<th colspan="2">${escapeHtml(metricLabel(m.id, metrics, L))}</th>`).join('') +
    [L.penalties, L.fines].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  return `<h2>${escapeHtml(L.portfolio)}</h2><table class="portfolio"><thead><tr>${heads}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function formatHtml(report: Report, lang: Lang = 'en'): string {
  L = LABELS[lang];
  const period = `${report.period.from ?? '–'} … ${report.period.to ?? '–'}`;
  const shops = report.shops.map((s) => shopSection(s, report.shops.length > 1)).join('');
  const body = report.shops.length === 0 ? `<p>${L.noMessages}</p>` : `${report.shops.length > 1 ? portfolioSection(report) : ''}${shops}`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>cs-audit ${escapeHtml(report.platform)} ${escapeHtml(period)}</title><style>${STYLE}</style></head>
<body><h1>cs-audit · ${escapeHtml(report.platform)} · ${escapeHtml(period)}</h1>
<p class="scope">${L.rules} ${escapeHtml(report.rules.versions.map((v) => v.version).join(', ') || report.rules.version)} · ${escapeHtml(report.timezone)} · ${report.input.messages} ${L.records}, ${report.input.bad_rows} ${L.badRows}</p>
${body}
<p class="scope">${L.totalsAllShops}: ${L.fines} ${report.totals.fines_cny} CNY, ${L.warnings} ${report.totals.warnings}, ${L.restrictions} ${report.totals.restrictions}</p>
</body></html>
`;
}
