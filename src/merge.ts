import { readFile } from 'node:fs/promises';
import { cannotRead, InputError } from './errors.js';
import { totalsOf } from './penalties/penalties.js';
import { REPORT_SCHEMA, type Report, type ShopReport } from './report/model.js';
import { VERSION } from './version.js';

/**
 * `cs-audit merge`: the JSON reports of jobs that audited disjoint sets of shops (shards), as one
 * portfolio report. Audits are independent per shop, so nothing is recomputed: each shop's
 * entry is taken as it is, and only what spans shops (grand totals, the input summary, the
 * period) is combined.
 */
export async function mergeReportFiles(files: readonly string[]): Promise<Report> {
  if (files.length === 0) throw new InputError('no reports to merge: give JSON reports written by cs-audit run --format json');
  const reports: { file: string; report: Report }[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw (err as NodeJS.ErrnoException).code === 'ENOENT' ? new InputError(`${file}: no such file`) : cannotRead(file, err);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new InputError(`${file}: not JSON (${(err as Error).message})`);
    }
    const schema = (parsed as { schema?: unknown } | null)?.schema;
    if (schema !== REPORT_SCHEMA) {
      throw new InputError(`${file}: not a cs-audit report (schema ${JSON.stringify(schema ?? null)}; expected "${REPORT_SCHEMA}", from cs-audit run --format json)`);
    }
    reports.push({ file, report: parsed as Report });
  }
  return mergeReports(reports);
}

export function mergeReports(reports: readonly { file: string; report: Report }[]): Report {
  const first = reports[0]!;
  for (const { file, report } of reports.slice(1)) {
    const same = (what: string, a: unknown, b: unknown): void => {
      if (a !== b) throw new InputError(`${file}: ${what} ${JSON.stringify(b)} differs from ${first.file}'s ${JSON.stringify(a)}; merge combines shards of one audit (same platform, rules and time zone)`);
    };
    same('platform', first.report.platform, report.platform);
    same('rules version', first.report.rules.version, report.rules.version);
    // Two packs with one version string but other contents (a user's --rules) are other rules.
    if (first.report.rules.sha256 !== undefined && report.rules.sha256 !== undefined) same('rules (sha256)', first.report.rules.sha256, report.rules.sha256);
    same('time zone', first.report.timezone, report.timezone);
  }
  const owner = new Map<string, string>();
  const shops: ShopReport[] = [];
  for (const { file, report } of reports) {
    for (const shop of report.shops) {
      const earlier = owner.get(shop.shop);
      if (earlier !== undefined) {
        throw new InputError(`shop "${shop.shop}" is in both ${earlier} and ${file}: shards must audit disjoint sets of shops (cs-audit run --shop)`);
      }
      owner.set(shop.shop, file);
      shops.push(shop);
    }
  }
  shops.sort((a, b) => (a.shop < b.shop ? -1 : a.shop > b.shop ? 1 : 0));
  const several = shops.length > 1;
  // With several shops every penalty names its shop (REPORT.md).
  const tagged = shops.map((s) => ({ ...s, penalties: s.penalties.map((p) => (several && p.shop === undefined ? { shop: s.shop, ...p } : p)) }));
  const penalties = tagged.flatMap((s) => s.penalties);
  const all = reports.map((r) => r.report);
  const froms = all.map((r) => r.period.from).filter((d): d is string => d !== null).sort();
  const tos = all.map((r) => r.period.to).filter((d): d is string => d !== null).sort();
  const ends = all.map((r) => r.input.data_end).filter((d): d is string => d !== null).sort();
  const versions = new Map<string, { version: string; effective: string; days: number }>();
  for (const r of all) {
    for (const v of r.rules.versions) {
      const known = versions.get(v.version);
      if (!known || v.days > known.days) versions.set(v.version, v);
    }
  }
  const single = several ? null : (tagged[0] ?? null);
  return {
    schema: REPORT_SCHEMA,
    generator: { name: 'cs-audit', version: VERSION },
    platform: first.report.platform,
    ...(first.report.platform_name ? { platform_name: first.report.platform_name } : {}),
    rules: { ...first.report.rules, versions: [...versions.values()].sort((a, b) => (a.effective < b.effective ? -1 : 1)) },
    timezone: first.report.timezone,
    input_timezone: first.report.input_timezone,
    period: { from: froms[0] ?? null, to: tos.at(-1) ?? null },
    input: {
      messages: sum(all, (r) => r.input.messages),
      bad_rows: sum(all, (r) => r.input.bad_rows),
      duplicates: sum(all, (r) => r.input.duplicates),
      rows: sum(all, (r) => r.input.rows),
      data_end: ends.at(-1) ?? null,
      errors: all.flatMap((r) => r.input.errors),
      errors_listed: sum(all, (r) => r.input.errors_listed),
      files: all.flatMap((r) => r.input.files),
    },
    metrics: single?.metrics ?? [],
    ...(single?.details !== undefined ? { details: single.details } : {}),
    penalties,
    totals: totalsOf(penalties),
    shops: tagged,
  };
}

function sum(reports: readonly Report[], of: (r: Report) => number): number {
  return reports.reduce((n, r) => n + of(r), 0);
}
