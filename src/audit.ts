import type { Readable } from 'node:stream';
import { ShopAuditor, type ShopAudit } from './engine/audit-shop.js';
import { InputError } from './errors.js';
import { chatMessages, scanChat } from './ingest/read-chat.js';
import { assessDays, metricReport, type Span } from './metrics/assess.js';
import { penaltiesOf, totalsOf } from './penalties/penalties.js';
import { REPORT_SCHEMA, type Penalty, type Report, type ShopReport } from './report/model.js';
import { checkPack, loadBuiltInPack, loadPackFile } from './rules/load-pack.js';
import { RuleSet } from './rules/rule-set.js';
import { dayToIso, isoToDay, Zone } from './time/zone.js';
import { VERSION } from './version.js';

export interface AuditOptions {
  /** Built-in platform id, or null with `rulesFile`. */
  platform: string | null;
  rulesFile: string | null;
  /** An already parsed pack (programmatic use); validated like a file. */
  rulesPack?: unknown;
  inputs: string[];
  /** Zone of local times in the input; default the platform's. */
  tz: string | null;
  from: string | null;
  to: string | null;
  strict: boolean;
  stdin: Readable;
  /** Most bad rows listed one by one in the report (all are counted). */
  maxErrorsListed?: number;
}

export function loadRules(options: Pick<AuditOptions, 'platform' | 'rulesFile' | 'rulesPack'>): {
  rules: RuleSet;
  file: string;
} {
  if (options.rulesPack !== undefined) {
    return { rules: new RuleSet(checkPack(options.rulesPack, '(rule pack)')), file: '(rule pack)' };
  }
  if (options.rulesFile !== null) {
    return { rules: new RuleSet(loadPackFile(options.rulesFile)), file: options.rulesFile };
  }
  if (options.platform === null) throw new InputError('no platform: pass --platform <id> or --rules FILE');
  return { rules: new RuleSet(loadBuiltInPack(options.platform)), file: `platforms/${options.platform}.json` };
}

function parseDateOption(name: string, value: string | null): number | null {
  if (value === null) return null;
  const day = isoToDay(value);
  if (day === null) throw new InputError(`--${name} "${value}" is not a date (use YYYY-MM-DD)`);
  return day;
}

/**
 * ingest → normalize → per shop: exclusions, conversations, rounds, metrics → penalties → report.
 * Two passes over the files; memory follows conversations and days, not messages (files whose
 * rows are out of time order, and standard input, are still held in memory).
 */
export async function audit(options: AuditOptions): Promise<Report> {
  const { rules, file: rulesFile } = loadRules(options);
  if (options.tz !== null && !Zone.isValid(options.tz)) {
    throw new InputError(`--tz "${options.tz}" is not a known time zone (e.g. Asia/Shanghai, UTC)`);
  }
  const fromOption = parseDateOption('from', options.from);
  const toOption = parseDateOption('to', options.to);
  if (fromOption !== null && toOption !== null && fromOption > toOption) {
    throw new InputError(`--from ${options.from} is after --to ${options.to}`);
  }
  if (options.inputs.length === 0) throw new InputError('no chat files given (use - for standard input)');

  const inputZone = options.tz === null ? rules.zone : new Zone(options.tz);
  // Pass 1: read and check every row; learn the shops, their accounts and the time span.
  const scan = await scanChat(options.inputs, { zone: inputZone, strict: options.strict, stdin: options.stdin });
  const firstDay = scan.firstT === null ? null : rules.zone.dayOf(scan.firstT);
  const lastDay = scan.lastT === null ? null : rules.zone.dayOf(scan.lastT);
  const dataEnd = scan.lastT;
  const from = fromOption ?? firstDay;
  const to = toOption ?? lastDay;

  // Pass 2: every message once, in time order, through its shop's auditor.
  const auditors = new Map<string, ShopAuditor>();
  for await (const m of chatMessages(scan)) {
    let auditor = auditors.get(m.shop);
    if (!auditor) {
      auditor = new ShopAuditor(m.shop, rules, scan.directories.get(m.shop)!);
      auditors.set(m.shop, auditor);
    }
    auditor.push(m);
  }
  const shopNames = [...auditors.keys()].sort();
  const shops: ShopReport[] = shopNames.map((shop) =>
    shopReport(
      auditors.get(shop)!.finish(dataEnd ?? 0),
      rules,
      from,
      to,
      firstDay === null || lastDay === null ? null : { first: firstDay, last: lastDay },
      shopNames.length > 1,
    ),
  );
  const files = scan.files;

  const versionsUsed = new Map<number, number>();
  if (from !== null && to !== null) {
    for (let day = from; day <= to; day++) {
      const i = rules.versionIndexAt(day);
      versionsUsed.set(i, (versionsUsed.get(i) ?? 0) + 1);
    }
  }
  const versions = [...versionsUsed.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([i, days]) => ({ version: rules.pack.versions[i]!.version, effective: rules.pack.versions[i]!.effective, days }));
  const penalties = shops.flatMap((s) => s.penalties);
  const maxListed = options.maxErrorsListed ?? 1000;

  return {
    schema: REPORT_SCHEMA,
    generator: { name: 'cs-audit', version: VERSION },
    platform: rules.pack.id,
    rules: {
      platform: rules.pack.id,
      version: versions.at(-1)?.version ?? rules.pack.versions.at(-1)!.version,
      versions,
      file: rulesFile,
    },
    timezone: rules.zone.name,
    input_timezone: inputZone.name,
    period: { from: from === null ? null : dayToIso(from), to: to === null ? null : dayToIso(to) },
    input: {
      messages: files.reduce((n, f) => n + f.messages, 0),
      bad_rows: scan.badRows.length,
      duplicates: files.reduce((n, f) => n + f.duplicates, 0),
      rows: files.reduce((n, f) => n + f.rows, 0),
      data_end: dataEnd === null ? null : new Date(dataEnd).toISOString(),
      errors: scan.badRows.slice(0, maxListed),
      errors_listed: Math.min(maxListed, scan.badRows.length),
      files,
    },
    metrics: shops.length === 1 ? shops[0]!.metrics : [],
    penalties,
    totals: totalsOf(penalties),
    shops,
  };
}

function shopReport(
  result: ShopAudit,
  rules: RuleSet,
  from: number | null,
  to: number | null,
  input: { first: number; last: number } | null,
  tagPenalties: boolean,
): ShopReport {
  const metrics = [];
  const penalties: Penalty[] = [];
  if (from !== null && to !== null && input !== null) {
    // Days are assessed from the first day of the input (ladders and cycles count from there)
    // and reported for the period.
    const first = Math.min(from, input.first);
    const last = Math.max(to, input.last);
    const span: Span = { from, to, firstInputDay: input.first };
    for (const [id, counter] of result.counters) {
      const days = assessDays(counter, id, rules, first, last, input.first);
      const found = penaltiesOf({
        metricId: id,
        rules,
        days,
        counter,
        counters: result.counters,
        firstInputDay: input.first,
        lastInputDay: input.last,
        shop: tagPenalties ? result.shop : null,
      });
      const fromIso = dayToIso(from);
      const toIso = dayToIso(to);
      penalties.push(...found.filter((p) => p.date >= fromIso && p.date <= toIso));
      const periodDays = days.filter((d) => d.date >= fromIso && d.date <= toIso);
      metrics.push(metricReport(counter, id, rules, span, periodDays));
    }
  }
  const order = new Map(metrics.map((m, i) => [m.id, i]));
  penalties.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : order.get(a.metric)! - order.get(b.metric)!));
  const activity = [];
  if (from !== null && to !== null) {
    for (let day = from; day <= to; day++) {
      const a = result.activity.get(day);
      activity.push({
        date: dayToIso(day),
        buyers: a?.buyers ?? 0,
        buyer_messages: a?.buyer_messages ?? 0,
        shop_messages: a?.shop_messages ?? 0,
        rounds: a?.rounds ?? 0,
        seller_first_rounds: a?.seller_first_rounds ?? 0,
        sessions: a?.sessions ?? 0,
      });
    }
  }
  return {
    shop: result.shop,
    metrics,
    penalties,
    totals: totalsOf(penalties),
    activity,
    messages: {
      used: result.used,
      events: result.events,
      evaluations: result.evaluations,
      excluded: Object.fromEntries([...result.excluded].sort()),
    },
  };
}
