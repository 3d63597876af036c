import type { AmountMetricReport, ItemDetail, RatioMetricReport, Report, ShopReport } from '../model.js';

// The CSV report (--format csv): long form for spreadsheets, one row per day × metric × agent
// ("(all)" for the shop), or with --details an appeal pack, one row per failed or pending item
// with its messages. Formats only; every number comes from the report.

/** Spreadsheets run cells that start with these as formulas; such text is prefixed with '. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function line(cells: (string | number | boolean | null | undefined)[]): string {
  return cells.map(csvCell).join(',');
}

const SUMMARY_COLUMNS = [
  'shop',
  'metric',
  'metric_name',
  'unit',
  'date',
  'agent',
  'eligible',
  'passed',
  'pending',
  'rate',
  'hours',
  'status',
  'window_from',
  'window_to',
  'window_rate',
  'window_hours',
  'target_op',
  'target',
  'version',
  'note',
];

function ratioRows(shop: string, m: RatioMetricReport): string[] {
  const rows: string[] = [];
  const name = `${m.name.zh} ${m.name.en}`;
  for (const d of m.days) {
    const w = d.window;
    rows.push(
      line([shop, m.id, name, m.unit, d.date, '(all)', d.eligible, d.passed, d.pending, d.rate, null, d.status, w?.from, w?.to, w?.rate, null, m.target.op, m.target.value, d.version, d.note]),
    );
    for (const a of d.agents ?? []) {
      rows.push(line([shop, m.id, name, m.unit, d.date, a.agent, a.eligible, a.passed, a.pending, a.rate, null, '', '', '', null, null, m.target.op, m.target.value, d.version, '']));
    }
  }
  return rows;
}

function amountRows(shop: string, m: AmountMetricReport): string[] {
  const name = `${m.name.zh} ${m.name.en}`;
  return m.days.map((d) =>
    line([shop, m.id, name, m.unit, d.date, '(all)', null, null, null, null, d.value, d.status, d.window?.from, d.window?.to, null, d.window?.value, m.target.op, m.target.value, d.version, d.note]),
  );
}

/** Conduct findings (RULES.md §8): a row each, metric "conduct", the detector as its name, the matched text in the note. */
function findingRows(s: ShopReport): string[] {
  return (s.findings ?? []).map((f) =>
    line([s.shop, 'conduct', f.detector, 'finding', f.date, f.agent, null, null, null, null, null, f.penalty ? f.penalty.kind : 'finding', null, null, null, null, null, null, null, `${f.time} to ${f.buyer}: matched "${f.matched}" in "${f.message}"`]),
  );
}

function shopRows(s: ShopReport): string[] {
  return [...s.metrics.flatMap((m) => (m.unit === 'hours' ? amountRows(s.shop, m) : ratioRows(s.shop, m))), ...findingRows(s)];
}

const DETAIL_COLUMNS = ['shop', 'metric', 'date', 'outcome', 'buyer', 'agent', 'start', 'text', 'reply_time', 'delay_seconds', 'reason', 'file', 'line', 'messages'];

function messagesCell(d: ItemDetail): string {
  return (d.messages ?? []).map((m) => `${m.time} ${m.sender}${m.agent ? ` ${m.agent}` : ''} [${m.type}]: ${m.content}`).join('\n');
}

function detailRows(s: ShopReport): string[] {
  const items = (s.details ?? []).map((d) =>
    line([s.shop, d.metric, d.date, d.outcome, d.buyer, d.agent, d.start, d.text, d.reply_time, d.delay_seconds, d.reason, d.origin?.file, d.origin?.line, messagesCell(d)]),
  );
  const findings = (s.findings ?? []).map((f) =>
    line([s.shop, `conduct:${f.detector}`, f.date, 'finding', f.buyer, f.agent, f.time, f.message, null, null, `matched "${f.matched}"${f.penalty ? ` (${f.penalty.kind})` : ''}`, f.origin?.file, f.origin?.line, '']),
  );
  return [...items, ...findings];
}

export function formatCsv(report: Report, options: { bom?: boolean; details?: boolean } = {}): string {
  const withDetails = options.details === true || report.shops.some((s) => s.details !== undefined);
  const rows = withDetails
    ? [DETAIL_COLUMNS.join(','), ...report.shops.flatMap(detailRows)]
    : [SUMMARY_COLUMNS.join(','), ...report.shops.flatMap(shopRows)];
  return `${options.bom ? '\uFEFF' : ''}${rows.join('\r\n')}\r\n`;
}
