import type { Readable } from 'node:stream';
import { ShopAuditor, type ShopAudit, type Tracer } from './engine/audit-shop.js';
import { InputError } from './errors.js';
import { chatMessages, fallbackShop, mainAccountOf, resolveShops, scanChat } from './ingest/read-chat.js';
import { readLog, type LogInput } from './ingest/read-log.js';
import type { FileStats, ProgressSink } from './ingest/read-chat.js';
import { Transcoder, type Encoding } from './ingest/encoding.js';
import { resolveSources, type InputSource } from './ingest/sources.js';
import type { ProfileName } from './ingest/profiles.js';
import { amountReport, amountRuleAt, assessAmountDays, type AmountSeries } from './metrics/amount.js';
import { onlineIntervals, onlineMsPerDay } from './metrics/online-time.js';
import { projectAmount, projectRatio } from './metrics/projections.js';
import { ReviewCounter } from './metrics/review-reply.js';
import { normalizePresenceRow, type PresenceEvent } from './normalize/presence-row.js';
import { normalizeReviewRow, type Review } from './normalize/review-row.js';
import type { OnlineHoursMetric } from './rules/pack-types.js';
import { assessDays, metricReport, type Span } from './metrics/assess.js';
import { penaltiesOf, totalsOf } from './penalties/penalties.js';
import { REPORT_SCHEMA, type ItemDetail, type MetricReport, type Penalty, type Report, type ShopReport } from './report/model.js';
import { maskBuyer } from './report/mask.js';
import { keyFigures } from './report/summary.js';
import { checkPack, loadBuiltInPack, loadPackFile } from './rules/load-pack.js';
import { RuleSet } from './rules/rule-set.js';
import { clockToMs, dayToIso, isoToDay, MS_PER_DAY, Zone } from './time/zone.js';
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
  /** Presence logs (online/offline status changes), for online-time metrics. */
  presence?: string[];
  /** Review logs, for review-reply metrics. */
  reviews?: string[];
  /** Forced import profile of chat files (--input-format); detected per file otherwise. */
  inputFormat?: ProfileName | null;
  /** --map: header name → canonical field. */
  headerMap?: Map<string, string> | null;
  /** A progress bar for the first pass (the CLI's, on a terminal). */
  progress?: ProgressSink | null;
  /** Follow one buyer's conversation (cs-audit explain). */
  tracer?: Tracer | null;
  /** Keep every failed and pending item with its evidence (--details). */
  details?: boolean;
  /** Replace buyer ids with stable pseudonyms in every output (--mask-buyers). */
  maskBuyers?: boolean;
  /** Secret mixed into the pseudonyms so they cannot be found by hashing candidate ids. */
  maskSalt?: string;
  /** Forced input encoding (--encoding); detected per file otherwise. */
  encoding?: Encoding | null;
  /** Most bad rows listed one by one in the report (all are counted). */
  maxErrorsListed?: number;
  /** --shop: audit only these shops (rows of others are counted as excluded `other_shop`). */
  shops?: string[] | null;
  /** --shop-folders: each first-level folder of a directory argument is one shop. */
  shopFolders?: boolean;
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
  const presenceFiles = options.presence ?? [];
  const reviewFiles = options.reviews ?? [];
  if (options.inputs.length + presenceFiles.length + reviewFiles.length === 0) {
    throw new InputError('no input: give chat files (- for standard input), --presence or --reviews files');
  }
  if ([...options.inputs, ...presenceFiles, ...reviewFiles].filter((f) => f === '-').length > 1) {
    throw new InputError('standard input (-) can be read only once');
  }

  const inputZone = options.tz === null ? rules.zone : new Zone(options.tz);
  const transcoder = new Transcoder();
  try {
    const sourceOptions = { stdin: options.stdin, encoding: options.encoding ?? null, transcoder, shopFolders: options.shopFolders === true };
    const chatSources = await resolveSources(options.inputs, sourceOptions);
    const presenceSources = await resolveSources(presenceFiles, sourceOptions);
    const reviewSources = await resolveSources(reviewFiles, sourceOptions);
    return await auditSources(rules, rulesFile, options, inputZone, { fromOption, toOption }, chatSources, presenceSources, reviewSources);
  } finally {
    await transcoder.dispose();
  }
}

async function auditSources(
  rules: RuleSet,
  rulesFile: string,
  options: AuditOptions,
  inputZone: Zone,
  { fromOption, toOption }: { fromOption: number | null; toOption: number | null },
  chatSources: InputSource[],
  presenceSources: InputSource[],
  reviewSources: InputSource[],
): Promise<Report> {
  const profiles = { profile: options.inputFormat ?? null, map: options.headerMap ?? null };
  const readOptions = { zone: inputZone, strict: options.strict, profiles, progress: options.progress ?? null };
  // Pass 1: read and check every row; learn the shops, their accounts and the time span.
  const scan = await scanChat(chatSources, readOptions);
  const logOptions = { strict: options.strict, profiles: { profile: null, map: options.headerMap ?? null } };
  const presence = await readLog(presenceSources, 'presence', (v, o, q) => normalizePresenceRow(v, o, q, inputZone), logOptions);
  const reviews = await readLog(reviewSources, 'review', (v, o, q) => normalizeReviewRow(v, o, q, inputZone), logOptions);

  // FORMAT.md: rows without a shop belong to the run's only named shop, over every input.
  const named = new Set(scan.namedShops);
  const mains = new Set(scan.mainAccounts);
  for (const e of presence.items) {
    if (e.shop !== '') named.add(e.shop);
    const main = mainAccountOf(e.agent);
    if (main !== null) mains.add(main);
  }
  for (const r of reviews.items) if (r.shop !== '') named.add(r.shop);
  const fallback = fallbackShop(named, mains);
  resolveShops(scan, fallback);
  for (const e of presence.items) if (e.shop === '') e.shop = fallback;
  for (const r of reviews.items) if (r.shop === '') r.shop = fallback;
  dropRepeatedReviews(reviews);
  const otherShop = new Map<string, number>();
  const only = narrowToShops(options.shops ?? null, scan, presence, reviews, otherShop);

  // RULES.md §1 Pending: the end of the data is the latest time of any kind in the input.
  let firstT: number | null = null;
  let dataEnd: number | null = null;
  const seen = (t: number): void => {
    if (firstT === null || t < firstT) firstT = t;
    if (dataEnd === null || t > dataEnd) dataEnd = t;
  };
  if (scan.firstT !== null) seen(scan.firstT);
  if (scan.lastT !== null) seen(scan.lastT);
  for (const e of presence.items) seen(e.t);
  for (const r of reviews.items) {
    seen(r.t);
    if (r.replyT !== null) seen(r.replyT);
  }
  const firstDay = firstT === null ? null : rules.zone.dayOf(firstT);
  const lastDay = dataEnd === null ? null : rules.zone.dayOf(dataEnd);
  const from = fromOption ?? firstDay;
  const to = toOption ?? lastDay;

  // Pass 2: every message once, in time order, through its shop's auditor.
  const auditors = new Map<string, ShopAuditor>();
  const auditorOf = (shop: string): ShopAuditor => {
    let auditor = auditors.get(shop);
    if (!auditor) {
      const directory = scan.directories.get(shop) ?? { accounts: new Set<string>(), merchantBuyers: new Set<string>() };
      auditors.set(shop, (auditor = new ShopAuditor(shop, rules, directory, options.details === true, options.tracer ?? null)));
    }
    return auditor;
  };
  for await (const m of chatMessages(scan)) {
    if (only !== null && !only.has(m.shop)) otherShop.set(m.origin.file, (otherShop.get(m.origin.file) ?? 0) + 1);
    else auditorOf(m.shop).push(m);
  }
  for (const e of presence.items) auditorOf(e.shop);
  for (const r of reviews.items) auditorOf(r.shop);

  // The presence log speaks for the days from its first row to the end of the data; without one,
  // online time is unknown (never zero).
  let presenceFirst: number | null = null;
  for (const e of presence.items) if (presenceFirst === null || e.t < presenceFirst) presenceFirst = e.t;
  const presenceCoverage =
    presenceFirst === null || lastDay === null ? null : { first: rules.zone.dayOf(presenceFirst), last: lastDay };
  const shopNames = [...auditors.keys()].sort();
  const span = firstDay === null || lastDay === null ? null : { first: firstDay, last: lastDay };
  const shopResults: ShopAudit[] = [];
  const shops: ShopReport[] = shopNames.map((shop) => {
    const result = auditors.get(shop)!.finish(dataEnd ?? 0);
    shopResults.push(result);
    addReviewCounters(result, rules, reviews.items.filter((r) => r.shop === shop), dataEnd ?? 0);
    const shopPresence = presence.items.filter((e) => e.shop === shop);
    const report = shopReport(result, rules, from, to, span, shopNames.length > 1, shopPresence, presenceCoverage);
    if (options.details === true) report.details = detailsOf(result, from, to, options.maskBuyers === true ? (options.maskSalt ?? '') : null);
    return report;
  });
  const files = [...scan.files, ...presence.files, ...reviews.files];
  accountRows(scan.files, shopResults, [...presence.files, ...reviews.files], otherShop);
  const badRows = [...scan.badRows, ...presence.badRows, ...reviews.badRows];

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
    platform_name: rules.pack.name,
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
      bad_rows: badRows.length,
      duplicates: files.reduce((n, f) => n + f.duplicates, 0),
      rows: files.reduce((n, f) => n + f.rows, 0),
      data_end: dataEnd === null ? null : new Date(dataEnd).toISOString(),
      errors: badRows.slice(0, maxListed),
      errors_listed: Math.min(maxListed, badRows.length),
      files,
    },
    metrics: shops.length === 1 ? shops[0]!.metrics : [],
    ...(options.details === true && shops.length === 1 ? { details: shops[0]!.details ?? [] } : {}),
    penalties,
    totals: totalsOf(penalties),
    shops,
  };
}

/** Failed and pending items of the reported days, in time order, buyers masked if asked. */
function detailsOf(result: ShopAudit, from: number | null, to: number | null, maskSalt: string | null): ItemDetail[] {
  if (from === null || to === null) return [];
  const fromIso = dayToIso(from);
  const toIso = dayToIso(to);
  const all: ItemDetail[] = [];
  for (const counter of result.counters.values()) {
    for (const d of counter.details ?? []) if (d.date >= fromIso && d.date <= toIso) all.push(d);
  }
  all.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.metric < b.metric ? -1 : 1));
  return maskSalt !== null ? all.map((d) => ({ ...d, buyer: d.buyer === null ? null : maskBuyer(d.buyer, maskSalt) })) : all;
}

/**
 * Row accounting per file: every row read is used, excluded (by reason; repeated ids as
 * `duplicate`) or a bad row. Chat files get the shops' verdicts; presence and review logs use
 * every valid row.
 */
function accountRows(chatFiles: FileStats[], results: ShopAudit[], logFiles: FileStats[], otherShop: Map<string, number>): void {
  for (const f of chatFiles) {
    const excluded = new Map<string, number>();
    let used = 0;
    for (const r of results) {
      const a = r.files.get(f.file);
      if (!a) continue;
      used += a.used;
      for (const [reason, n] of a.excluded) excluded.set(reason, (excluded.get(reason) ?? 0) + n);
    }
    if (f.duplicates > 0) excluded.set('duplicate', f.duplicates);
    const other = otherShop.get(f.file) ?? 0;
    if (other > 0) excluded.set(OTHER_SHOP, other);
    f.used = used;
    f.excluded = Object.fromEntries([...excluded].sort());
  }
  for (const f of logFiles) {
    const other = otherShop.get(f.file) ?? 0;
    f.used = f.messages - other;
    f.excluded = Object.fromEntries(
      [...(f.duplicates > 0 ? ([['duplicate', f.duplicates]] as const) : []), ...(other > 0 ? ([[OTHER_SHOP, other]] as const) : [])],
    );
  }
}

/** Rows of shops a --shop option left out: read, counted, not audited. */
const OTHER_SHOP = 'other_shop';

/**
 * --shop: the shops to audit, each checked against the shops the input holds. Presence and
 * review rows of other shops are dropped here and counted per file; chat rows as they stream.
 */
function narrowToShops(
  wanted: string[] | null,
  scan: { directories: Map<string, unknown> },
  presence: LogInput<PresenceEvent>,
  reviews: LogInput<Review>,
  otherShop: Map<string, number>,
): Set<string> | null {
  if (wanted === null || wanted.length === 0) return null;
  const found = new Set<string>([...scan.directories.keys(), ...presence.items.map((e) => e.shop), ...reviews.items.map((r) => r.shop)]);
  const unknown = wanted.filter((s) => !found.has(s));
  if (unknown.length > 0) {
    const list = [...found].sort().join(', ') || 'none';
    throw new InputError(`--shop ${unknown.join(', ')}: not in the input (shops found: ${list})`);
  }
  const only = new Set(wanted);
  for (const log of [presence, reviews] as LogInput<{ shop: string; origin: { file: string } }>[]) {
    const kept = log.items.filter((x) => only.has(x.shop));
    for (const x of log.items) if (!only.has(x.shop)) otherShop.set(x.origin.file, (otherShop.get(x.origin.file) ?? 0) + 1);
    log.items = kept;
  }
  return only;
}

/** A review id given twice (overlapping exports) is one review: the first in time order, counted. */
function dropRepeatedReviews(reviews: LogInput<Review>): void {
  const seen = new Set<string>();
  const kept: Review[] = [];
  for (const r of [...reviews.items].sort((a, b) => a.t - b.t || a.seq - b.seq)) {
    const key = `${r.shop}\u0000${r.id}`;
    if (seen.has(key)) {
      const stats = reviews.files.find((f) => f.file === r.origin.file);
      if (stats) {
        stats.duplicates++;
        stats.messages--;
      }
      continue;
    }
    seen.add(key);
    kept.push(r);
  }
  reviews.items = kept;
}

/** Review metrics read the review log, not the chat: one counter per review metric. */
function addReviewCounters(result: ShopAudit, rules: RuleSet, reviews: Review[], dataEnd: number): void {
  for (const id of rules.metricIds()) {
    if (rules.latestMetric(id).kind !== 'review_reply') continue;
    const counter = new ReviewCounter(id, rules);
    for (const r of reviews) counter.add(r, dataEnd);
    result.counters.set(id, counter);
  }
}

/**
 * Milliseconds online per day for an online-time metric, each day within its version's window,
 * for the days the presence log covers only (`coverage`): other days are unknown, never zero.
 * With no metric, the whole day (e.g. for a robot take-over rule).
 */
function onlineSeries(
  events: PresenceEvent[],
  rules: RuleSet,
  metricId: string | null,
  coverage: { first: number; last: number } | null,
): AmountSeries {
  const series: AmountSeries = new Map();
  if (coverage === null) return series;
  // An account still online when the data ends stays online to the end of its last day.
  const intervals = onlineIntervals(events, rules.zone.startOfDay(coverage.last + 1));
  for (let day = coverage.first; day <= coverage.last; day++) {
    let from = 0;
    let to = MS_PER_DAY;
    if (metricId !== null) {
      const rule = amountRuleAt(rules, metricId, day) ?? (rules.latestMetric(metricId) as OnlineHoursMetric);
      from = clockToMs(rule.window.from)!;
      to = clockToMs(rule.window.to)!;
    }
    series.set(day, onlineMsPerDay(intervals, rules.zone, day, day, from, to).get(day) ?? 0);
  }
  return series;
}

function shopReport(
  result: ShopAudit,
  rules: RuleSet,
  from: number | null,
  to: number | null,
  input: { first: number; last: number } | null,
  tagPenalties: boolean,
  presence: PresenceEvent[],
  coverage: { first: number; last: number } | null,
): ShopReport {
  const metrics: MetricReport[] = [];
  const penalties: Penalty[] = [];
  if (from !== null && to !== null && input !== null) {
    // Days are assessed from the first day of the input (ladders and cycles count from there)
    // and reported for the period.
    const first = Math.min(from, input.first);
    const last = Math.max(to, input.last);
    const span: Span = { from, to, firstInputDay: input.first };
    const fromIso = dayToIso(from);
    const toIso = dayToIso(to);
    const seriesById = new Map<string, AmountSeries>();
    for (const id of rules.metricIds()) {
      if (rules.latestMetric(id).kind === 'online_hours') seriesById.set(id, onlineSeries(presence, rules, id, coverage));
    }
    const buyerDays = new Set<number>();
    for (const [day, a] of result.activity) if (a.buyer_messages > 0) buyerDays.add(day);
    const context = {
      rules,
      counters: result.counters,
      firstInputDay: input.first,
      lastInputDay: input.last,
      lastDay: last,
      seriesById,
      wholeDayOnline: coverage === null ? null : onlineSeries(presence, rules, null, coverage),
      buyerDays,
    };
    const shop = tagPenalties ? result.shop : null;
    for (const id of rules.metricIds()) {
      if (rules.latestMetric(id).kind === 'online_hours') {
        const series = seriesById.get(id)!;
        const days = assessAmountDays(series, id, rules, first, last, input.first);
        const found = penaltiesOf({ ...context, metricId: id, days, counter: null, series, shop });
        penalties.push(...found.filter((p) => p.date >= fromIso && p.date <= toIso));
        const periodDays = days.filter((d) => d.date >= fromIso && d.date <= toIso);
        const report = amountReport(series, id, rules, span, periodDays, []);
        const projection = projectAmount(report, rules, days.filter((d) => d.date <= toIso));
        if (projection) report.projection = projection;
        metrics.push(report);
        continue;
      }
      const counter = result.counters.get(id)!;
      const days = assessDays(counter, id, rules, first, last, input.first);
      const found = penaltiesOf({ ...context, metricId: id, days, counter, series: null, shop });
      penalties.push(...found.filter((p) => p.date >= fromIso && p.date <= toIso));
      const periodDays = days.filter((d) => d.date >= fromIso && d.date <= toIso);
      const report = metricReport(counter, id, rules, span, periodDays);
      const projection = projectRatio(report, rules, days.filter((d) => d.date <= toIso));
      if (projection) report.projection = projection;
      metrics.push(report);
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
    summary: keyFigures(metrics),
  };
}
