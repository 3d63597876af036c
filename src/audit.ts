import type { Readable } from 'node:stream';
import { ShopAuditor, type ShopAudit, type Tracer } from './engine/audit-shop.js';
import { InputError } from './errors.js';
import { availableParallelism } from 'node:os';
import {
  chatInOnePass,
  chatMessages,
  DEDUP_HORIZON_MS,
  dedupKey,
  delimitedOnDisk,
  directoryOf,
  fallbackShop,
  mainAccountOf,
  PART_BYTES,
  resolveShops,
  scanChat,
  type ChatScan,
  type ReadOptions,
  type ShopDirectory,
} from './ingest/read-chat.js';
import { readLog, type LogInput } from './ingest/read-log.js';
import type { ShopFact, ShopsBeside } from './ingest/scan-part.js';
import type { FileStats, ProgressSink } from './ingest/read-chat.js';
import { Transcoder, type Encoding } from './ingest/encoding.js';
import { resolveSources, type InputSource } from './ingest/sources.js';
import type { ProfileName } from './ingest/profiles.js';
import { amountReport, amountRuleAt, assessAmountDays, type AmountSeries } from './metrics/amount.js';
import { onlineIntervals, onlineMsPerDay } from './metrics/online-time.js';
import { projectAmount, projectRatio } from './metrics/projections.js';
import { ReviewCounter } from './metrics/review-reply.js';
import { normalizePresenceRow, type PresenceEvent } from './normalize/presence-row.js';
import { normalizeReviewRow, reviewKey, takeEarlierReply, type Review } from './normalize/review-row.js';
import type { OnlineHoursMetric } from './rules/pack-types.js';
import { assessDays, metricReport, NO_DAYS, type Span } from './metrics/assess.js';
import { penaltiesOf, totalsOf } from './penalties/penalties.js';
import { REPORT_SCHEMA, type HistoryReport, type ItemDetail, type MetricReport, type Penalty, type Report, type ShopReport } from './report/model.js';
import { HistorySession, type DaySpan, type ShopHistory, type ShopPlan } from './history/session.js';
import type { SavedShop } from './history/state-codec.js';
import type { CoverageRow } from './history/store.js';
import { DEFAULT_SHOP } from './model.js';
import { maskBuyer } from './report/mask.js';
import { keyFigures } from './report/summary.js';
import type { ConductChecker } from './conduct/conduct-checker.js';
import { conductReport } from './conduct/conduct-report.js';
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
  /** Messages of an unsorted file sorted in memory at a time (tests lower it to make runs spill). */
  sortRun?: number;
  /** Put quiet conversations to rest (tests turn it off to show that resting changes nothing). */
  restConversations?: boolean;
  /** Threads (issue 8): the cores to use and the least bytes a file (or part) must hold to be read on another one; both passes in one where the input allows (off only to test that it changes nothing). */
  cores?: number;
  partBytes?: number;
  onePass?: boolean;
  /** Told whether both passes were done in one (null), or why not (tests). */
  onOnePass?: ((whyNot: string | null) => void) | null;
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
  /** --history FILE: continue from, and record into, this history store. */
  history?: string | null;
  /** Check what agents write (RULES.md §8); default true, --no-conduct turns it off. */
  conduct?: boolean;
  /** --covers: the days this run's input is the complete log of (history runs); default its own days. */
  covers?: { from: string; to: string } | null;
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
 * Two passes over the files, or one where the input allows (auditInOnePass); memory follows
 * conversations and days, not messages (standard input and zip entries are held in memory).
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
    const history = options.history ? await HistorySession.open(options.history, rules) : null;
    try {
      const report = await auditSources(rules, rulesFile, options, inputZone, { fromOption, toOption }, chatSources, presenceSources, reviewSources, history);
      if (history !== null) {
        history.writeFacts(report);
        history.save();
      }
      return report;
    } finally {
      history?.close();
    }
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
  history: HistorySession | null,
): Promise<Report> {
  const profiles = { profile: options.inputFormat ?? null, map: options.headerMap ?? null };
  const readOptions = { zone: inputZone, strict: options.strict, profiles, progress: options.progress ?? null, sortRun: options.sortRun, cores: options.cores, partBytes: options.partBytes };
  const keepConduct = options.conduct !== false || history !== null;
  const makeAuditor = (shop: string, directory: ShopDirectory): ShopAuditor =>
    new ShopAuditor(shop, rules, directory, options.details === true, options.tracer ?? null, keepConduct, options.restConversations !== false, history !== null);
  const restoredAuditor = (shop: string, directory: ShopDirectory): ShopAuditor =>
    new ShopAuditor(shop, rules, directory, options.details === true, null, keepConduct, options.restConversations !== false, true);
  // Presence and review logs first: they are small, and a bad one stops the run before the chat
  // is read, not after. Auditors never read them; what they say of the shop of chat rows that
  // name none, the one pass takes in from the start.
  const logOptions = { strict: options.strict, profiles: { profile: null, map: options.headerMap ?? null } };
  const presence = await readLog(presenceSources, 'presence', (v, o, q) => normalizePresenceRow(v, o, q, inputZone), logOptions);
  const reviews = await readLog(reviewSources, 'review', (v, o, q) => normalizeReviewRow(v, o, q, inputZone), logOptions);
  const beside = shopsBeside(history, presence.items, reviews.items);
  const sources = [...chatSources, ...presenceSources, ...reviewSources];
  // Large enough delimited files: both passes in one where they allow (chatInOnePass); it gives
  // the same scan and the same auditors, or gives up and the files are read in two passes.
  const simple = history === null;
  // A history run given its days (--covers, as the cron line does) takes the one pass too: the
  // store's shops go on from their states before it.
  const nightly = history !== null && (options.covers ?? null) !== null && (options.tracer ?? null) === null;
  const traced = options.tracer?.events.length ?? 0;
  let start: OnePassStart | null = null;
  let one: { scan: ChatScan; auditors: Map<string, ShopAuditor>; start: OnePassStart | null } | null = null;
  if (options.onePass !== false && (simple || nightly)) {
    const noticesAt = history?.notices.length ?? 0;
    // Taken only once the files allow one pass (a store's states are costly to restore twice). A
    // --covers, plan or store the two passes would refuse (a damaged state too) is refused there,
    // after pass 1, as it was: the one pass declines.
    const prepare = (): OnePassStart | string | null => {
      const wanted = (options.shops ?? []).length === 0 ? null : new Set(options.shops);
      if (!options.covers && wanted === null) return null;
      try {
        const covers = options.covers ? coveredDays(options.covers, { first: null, last: null }) : null;
        if (history === null || covers === null) return coversStart(covers, rules.zone, wanted);
        let folders: Set<string> | null = null;
        if (options.shopFolders === true) {
          // --shop-folders feeds the shops of the folders and of the logs' rows (as fedShops below;
          // presence rows of other days are dropped there), besides those its chat rows name.
          const covered = presence.items.filter((e) => isWithin(rules.zone.dayOf(e.t), covers));
          if ([...covered, ...reviews.items].some((x) => x.shop === '')) return 'presence or review rows without a shop, outside the shop folders';
          folders = fedBesideChat(sources, covered, reviews.items);
        }
        return historyStart(history, covers, wanted, rules.zone, restoredAuditor, folders);
      } catch (err) {
        return `--covers or --history refused: ${(err as Error).message}`;
      }
    };
    // cs-audit explain tells a buyer's events in the order they were judged: every row in time order.
    one = await auditInOnePass(chatSources, readOptions, makeAuditor, options.onOnePass ?? null, prepare, beside, (options.tracer ?? null) === null);
    // The two passes plan and restore again.
    if (one === null) history?.notices.splice(noticesAt);
    start = one?.start ?? null;
  }
  // What a pass that gave up traced (cs-audit explain) is not kept: the two passes trace it again.
  if (one === null) options.tracer?.events.splice(traced);
  // Pass 1: read and check every row; learn the shops, their accounts and the time span.
  const scan = one?.scan ?? (await scanChat(chatSources, readOptions));

  // FORMAT.md: rows without a shop belong to the run's only named shop, over every input (and,
  // with a history, the shops it already holds).
  const fallback = runFallback(scan, beside);
  resolveShops(scan, fallback);
  for (const e of presence.items) if (e.shop === '') e.shop = fallback;
  for (const r of reviews.items) if (r.shop === '') r.shop = fallback;
  dropRepeatedReviews(reviews);
  const notAudited = new NotAudited();
  const only = narrowToShops(options.shops ?? null, scan, presence, reviews, notAudited, history?.shops() ?? []);

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
  let firstDay = firstT === null ? null : rules.zone.dayOf(firstT);
  let lastDay = dataEnd === null ? null : rules.zone.dayOf(dataEnd);

  // --covers: the input is the complete log of these days (a day without rows was quiet, not
  // unknown); rows of other days are counted, not audited. A history run always feeds whole days
  // (by default the days of its input), each shop going on from the state of the days before.
  const covers = history === null && !options.covers ? null : coveredDays(options.covers ?? null, chatDays(scan, presence.items, rules.zone));
  const feeds = (t: number): boolean => covers === null || isWithin(rules.zone.dayOf(t), covers);
  if (covers !== null) {
    // Reviews are kept whole, whatever day they were posted: a later export may give the reply
    // of an earlier day's review (the review counters read every review the store holds).
    presence.items = keepCovered(presence.items, (e) => feeds(e.t), notAudited);
  }
  const fedShops = new Set<string>([...scan.directories.keys(), ...fedBesideChat(sources, presence.items, reviews.items)]);
  // An export of every shop speaks for the store's shops without rows too (a quiet day); with
  // a folder per shop, a missing folder is a missing export, and that shop's day stays missing.
  const everyShop = options.shopFolders !== true && only === null;
  if (history !== null && options.shopFolders !== true) {
    for (const shop of history.shops()) if (only === null || only.has(shop)) fedShops.add(shop);
  }
  if (only !== null) for (const shop of fedShops) if (!only.has(shop)) fedShops.delete(shop);
  if (history !== null && fedShops.size === 0 && !everyShop) {
    throw new InputError('--history: this input names no shop to record (no rows, no shop folder); nothing was recorded');
  }
  if (history !== null && scan.rawDirectories.has('') && fallback === DEFAULT_SHOP) {
    history.notices.push(`rows without a shop were audited as ${DEFAULT_SHOP}: the input names several shops or none; name the shop (a shop column, --shop-folders) so nights add up to the same shop`);
  }
  // (The one pass planned the store's shops it fed before its first row, and kept the others as
  // the store left them: the same here, by construction, or the store would get another state.)
  if (start !== null) {
    for (const shop of start.plans.keys()) if (!fedShops.has(shop)) throw new Error(`one pass: shop ${shop} was planned but is not fed`);
    for (const shop of start.asLeft) if (fedShops.has(shop)) throw new Error(`one pass: shop ${shop} was kept as the store left it but is fed`);
  }
  const plans =
    history === null || covers === null
      ? null
      : start !== null
        ? new Map([...start.plans, ...history.plan([...fedShops].filter((shop) => !start!.plans.has(shop)).sort(), covers, true)])
        : history.plan([...fedShops].sort(), covers, (options.covers ?? null) !== null);

  // Pass 2: every message once, in time order, through its shop's auditor. A history keeps the
  // conduct state even under --no-conduct (only the report leaves findings out), so a later
  // night's counts (多次) are right.
  const auditors = one?.auditors ?? new Map<string, ShopAuditor>();
  const directories = scan.directories;
  const dedup = new Map<string, number>();
  const auditorOf = (shop: string): ShopAuditor => {
    let auditor = auditors.get(shop);
    if (!auditor) {
      const directory = directories.get(shop) ?? { accounts: new Set<string>(), merchantBuyers: new Set<string>() };
      directories.set(shop, directory);
      auditors.set(shop, (auditor = makeAuditor(shop, directory)));
    }
    return auditor;
  };
  if (history !== null && start !== null) {
    // The one pass restored the store's shops before its first row (historyStart).
    for (const [shop, restored] of start.restored) {
      directories.set(shop, start.directories.get(shop)!);
      if (restored.settled !== null) history.notices.push(restored.settled);
      const now = { accounts: new Set(restored.lateAccounts), merchantBuyers: new Set(restored.lateMerchants) };
      history.notices.push(...lateRecognitions(shop, restored.before, now, () => true));
    }
    for (const [key, t] of start.seen) dedup.set(key, t);
  } else if (history !== null && plans !== null) {
    // Shops this run feeds continue from their base; the store's other shops are reported as it left them.
    for (const shop of history.shops()) {
      if (only !== null && !only.has(shop)) continue;
      const row = plans.has(shop) ? plans.get(shop)!.base : history.latest(shop);
      if (row === null) continue;
      const fresh = directories.get(shop);
      const { auditor, saved, directory, settled } = restoreShop(history, shop, row, fresh, plans.has(shop) ? covers : null, rules.zone, restoredAuditor);
      directories.set(shop, directory);
      if (settled !== null) history.notices.push(settled);
      auditors.set(shop, auditor);
      for (const [key, t] of saved.seen) dedup.set(key, t);
      if (fresh) history.notices.push(...lateRecognitions(shop, saved.directory, fresh, (name) => auditor.hasConversation(name)));
    }
  }
  let fedEnd: number | null = start?.fedEnd ?? null;
  const reachEnd = (t: number): void => {
    if (feeds(t) && (fedEnd === null || t > fedEnd)) fedEnd = t;
  };
  if (start !== null) for (const [file, n] of start.outside) notAudited.add(file, OUTSIDE_COVERED_DAYS, n);
  if (start !== null) for (const [file, n] of start.otherShops) notAudited.add(file, OTHER_SHOP, n);
  // (The one pass has fed its auditors already, other shops' and days' rows counted apart by its start.)
  if (one === null) {
    for await (const batch of chatMessages(scan, dedup, reachEnd)) {
      for (const m of batch) {
        if (only !== null && !only.has(m.shop)) notAudited.add(m.origin.file, OTHER_SHOP);
        else if (!feeds(m.t)) notAudited.add(m.origin.file, OUTSIDE_COVERED_DAYS);
        else auditorOf(m.shop).push(m);
      }
    }
  }
  for (const shop of fedShops) auditorOf(shop);

  let shopData: Map<string, ShopHistory> | null = null;
  if (covers !== null) {
    // The data ends with the latest time of the covered days (RULES.md §1 Pending).
    for (const e of presence.items) reachEnd(e.t);
    for (const r of reviews.items) {
      reachEnd(r.t);
      if (r.replyT !== null) reachEnd(r.replyT);
    }
    firstDay = covers.first;
    lastDay = covers.last;
    dataEnd = fedEnd;
  }
  if (history !== null && covers !== null && plans !== null) {
    // The state to go on from is taken before the end of this run's data decides anything.
    const saved = new Map<string, SavedShop>();
    const nextDay = rules.zone.startOfDay(covers.last + 1);
    for (const shop of fedShops) {
      const recent = new Map<string, number>();
      const prefix = dedupKey(shop, '');
      for (const [key, t] of dedup) if (key.startsWith(prefix) && t >= nextDay - DEDUP_HORIZON_MS && t < nextDay) recent.set(key, t);
      const auditor = auditors.get(shop)!;
      auditor.restBefore(nextDay);
      saved.set(shop, { state: auditor.saveState(), directory: directories.get(shop)!, seen: recent });
    }
    const fedPresence = presence.items;
    const fedReviews = reviews.items;
    const inputNames = [...chatSources, ...presenceSources, ...reviewSources].map((x) => x.name);
    const repeats = history.record(inputNames, covers, fedEnd, everyShop, plans, saved, fedPresence, fedReviews);
    for (const r of repeats) {
      const stats = reviews.files.find((f) => f.file === r.origin.file);
      if (stats) {
        stats.duplicates++;
        stats.messages--;
      }
    }
    presence.items = history.presence().filter((e) => only === null || only.has(e.shop));
    reviews.items = history.reviews().filter((r) => only === null || only.has(r.shop));
    shopData = history.histories();
    const stored = history.daySpan();
    firstDay = stored?.first ?? null;
    lastDay = stored?.last ?? null;
    dataEnd = fedEnd;
    for (const h of shopData.values()) if (h.dataEnd !== null && (dataEnd === null || h.dataEnd > dataEnd)) dataEnd = h.dataEnd;
  }
  const from = fromOption ?? firstDay;
  const to = toOption ?? lastDay;

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
    const own = shopData?.get(shop) ?? null;
    // A shop whose history stops earlier (its exports are missing) ends where its data ends.
    const shopEnd = own?.dataEnd ?? dataEnd ?? 0;
    const result = auditors.get(shop)!.finish(shopEnd);
    shopResults.push(result);
    addReviewCounters(result, rules, reviews.items.filter((r) => r.shop === shop), shopEnd);
    const shopPresence = presence.items.filter((e) => e.shop === shop);
    const missing = own === null || span === null ? NO_DAYS : missingDays(own.covered, span);
    const report = shopReport(result, rules, from, to, span, shopNames.length > 1, shopPresence, presenceCoverage, missing);
    const maskSalt = options.maskBuyers === true ? (options.maskSalt ?? '') : null;
    if (options.details === true) report.details = detailsOf(result, from, to, maskSalt);
    if (result.conduct !== null && options.conduct !== false && from !== null && to !== null) addConduct(report, result.conduct, from, to, shopNames.length > 1, maskSalt);
    return report;
  });
  const files = [...scan.files, ...presence.files, ...reviews.files];
  accountRows(scan.files, shopResults, [...presence.files, ...reviews.files], notAudited);
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
      sha256: rules.sha256,
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
    ...(shops.length === 1 && shops[0]!.findings !== undefined ? { findings: shops[0]!.findings } : {}),
    ...(options.details === true && shops.length === 1 ? { details: shops[0]!.details ?? [] } : {}),
    penalties,
    totals: totalsOf(penalties),
    shops,
    ...(history !== null && covers !== null && shopData !== null
      ? { history: historyReport(history, covers, shopData, span, only) }
      : {}),
  };
}

/** RULES.md §8: the shop's findings of the reported days, their penalties (into the shop's), counts. */
function addConduct(report: ShopReport, checker: ConductChecker, from: number, to: number, tag: boolean, maskSalt: string | null): void {
  const { findings, summary, penalties } = conductReport(
    checker.findings,
    checker.rules,
    dayToIso(from),
    dayToIso(to),
    tag ? report.shop : null,
    maskSalt === null ? null : (buyer) => maskBuyer(buyer, maskSalt),
  );
  report.findings = findings;
  report.conduct = summary;
  if (penalties.length > 0) {
    report.penalties = [...report.penalties, ...penalties].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    report.totals = totalsOf(report.penalties);
  }
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
  // By time, metric and buyer: the same list whenever the counters decided each item.
  const order = (a: ItemDetail, b: ItemDetail): number =>
    compareText(a.start, b.start) || compareText(a.metric, b.metric) || compareText(a.buyer ?? '', b.buyer ?? '') || compareText(a.date, b.date);
  all.sort(order);
  return maskSalt !== null ? all.map((d) => ({ ...d, buyer: d.buyer === null ? null : maskBuyer(d.buyer, maskSalt) })) : all;
}

/**
 * Row accounting per file: every row read is used, excluded (by reason; repeated ids as
 * `duplicate`) or a bad row. Chat files get the shops' verdicts; presence and review logs use
 * every valid row.
 */
function accountRows(chatFiles: FileStats[], results: ShopAudit[], logFiles: FileStats[], notAudited: NotAudited): void {
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
    for (const [reason, n] of notAudited.of(f.file)) excluded.set(reason, n);
    f.used = used;
    f.excluded = Object.fromEntries([...excluded].sort());
  }
  for (const f of logFiles) {
    const excluded = new Map<string, number>(notAudited.of(f.file));
    if (f.duplicates > 0) excluded.set('duplicate', f.duplicates);
    f.used = f.messages - [...notAudited.of(f.file).values()].reduce((n, v) => n + v, 0);
    f.excluded = Object.fromEntries([...excluded].sort());
  }
}

/** Rows of shops a --shop option left out: read, counted, not audited. */
const OTHER_SHOP = 'other_shop';
/** Rows of days a history run does not feed (--covers): read, counted, not audited. */
const OUTSIDE_COVERED_DAYS = 'outside_covered_days';

/** Rows read but not audited, per file and reason (they still appear in the row accounting). */
class NotAudited {
  private readonly byFile = new Map<string, Map<string, number>>();

  add(file: string, reason: string, count = 1): void {
    let reasons = this.byFile.get(file);
    if (!reasons) this.byFile.set(file, (reasons = new Map()));
    reasons.set(reason, (reasons.get(reason) ?? 0) + count);
  }

  of(file: string): ReadonlyMap<string, number> {
    return this.byFile.get(file) ?? new Map();
  }
}

/**
 * Both passes in one (chatInOnePass) for delimited files on disk, a part's worth of bytes or
 * more in all (one large file, or a folder of daily exports read one after another): each shop's
 * auditor is fed as the rows come, its accounts and merchant buyers learnt as they are met. Null when the input
 * does not allow it or the pass gave up (then nothing of it is kept).
 */
async function auditInOnePass(
  sources: InputSource[],
  options: ReadOptions,
  makeAuditor: (shop: string, directory: ShopDirectory) => ShopAuditor,
  told: ((whyNot: string | null) => void) | null,
  /**
   * With --covers or --shop: the days and shops it feeds, and with a history its shops restored
   * (see coversStart, historyStart), taken once the files allow one pass; a string says why not.
   */
  prepare: () => OnePassStart | string | null,
  /** What the other inputs say of the shop of chat rows that name none. */
  beside: ShopsBeside,
  /** Files of other shops may overlap in time (see chatInOnePass). */
  byShop: boolean,
): Promise<{ scan: ChatScan; auditors: Map<string, ShopAuditor>; start: OnePassStart | null } | null> {
  const not = (why: string): null => {
    told?.(why);
    return null;
  };
  if ((options.cores ?? availableParallelism()) < 2) return not('one core');
  if ((await delimitedOnDisk(sources, options.partBytes ?? PART_BYTES)) === null) return not('not delimited files on disk, or small');
  const start = prepare();
  if (typeof start === 'string') return not(start);
  const directories = start?.directories ?? new Map<string, ShopDirectory>();
  const auditors = start?.auditors ?? new Map<string, ShopAuditor>();
  const pass = chatInOnePass(
    sources,
    options,
    (shop, kind, name) => {
      const d = directoryOf(directories, shop);
      // A shop the store holds and the run was not to feed (--shop-folders): the two passes feed it.
      if (kind === 'shop') return start?.asLeft.has(shop) !== true;
      // Known already (the store's directory): this run's messages were judged knowing it.
      if ((kind === 'account' ? d.accounts : d.merchantBuyers).has(name)) return true;
      // FORMAT.md: an account or merchant is one for all of the shop's rows, also those before.
      if (auditors.get(shop)?.judged(name) === true) return false;
      start?.learnt(shop, kind, name);
      (kind === 'account' ? d.accounts : d.merchantBuyers).add(name);
      return true;
    },
    start?.seen,
    start?.observe ?? null,
    beside,
    byShop,
  );
  for await (const batch of pass.batches) {
    for (const m of batch) {
      if (start !== null && start.wanted !== null && !start.wanted.has(m.shop)) {
        start.otherShops.set(m.origin.file, (start.otherShops.get(m.origin.file) ?? 0) + 1);
        continue;
      }
      if (start !== null && !start.feeds(m.t)) {
        start.outside.set(m.origin.file, (start.outside.get(m.origin.file) ?? 0) + 1);
        continue;
      }
      let auditor = auditors.get(m.shop);
      if (auditor === undefined) {
        auditors.set(m.shop, (auditor = makeAuditor(m.shop, directoryOf(directories, m.shop))));
        auditor.rememberJudged();
      }
      auditor.push(m);
    }
  }
  if (pass.gaveUp() !== null) return not(pass.gaveUp()!);
  // The thread gives up as soon as the rows say another shop for rows that name none (ShopOfUnnamed);
  // should it not have, the two passes give them the right one.
  const scan = pass.scan();
  const unnamed = pass.unnamed();
  const fallback = runFallback(scan, beside);
  if (unnamed !== null && unnamed !== fallback) return not(`rows without a shop were audited as ${unnamed}, but the run's shop for them is ${fallback}`);
  told?.(null);
  return { scan, auditors, start };
}

/**
 * The shops a run feeds besides those its chat rows name: the shops of the folders (--shop-folders)
 * and those of the presence and review rows.
 */
function fedBesideChat(sources: readonly InputSource[], presence: readonly PresenceEvent[], reviews: readonly Review[]): Set<string> {
  const shops = new Set<string>([...presence.map((e) => e.shop), ...reviews.map((r) => r.shop)]);
  for (const source of sources) if (source.shop !== undefined) shops.add(source.shop);
  return shops;
}

/** FORMAT.md: the shop of chat rows that name none, from every input (see fallbackShop). */
function runFallback(scan: ChatScan, beside: ShopsBeside): string {
  return fallbackShop(new Set([...scan.namedShops, ...beside.named]), new Set([...scan.mainAccounts, ...beside.mains]));
}

/**
 * FORMAT.md: what the inputs other than the chat say of the shop of chat rows that name none (see
 * fallbackShop): the shops presence and review rows name, a history's shops, and the main
 * accounts of the presence log's `main:sub` accounts.
 */
function shopsBeside(history: HistorySession | null, presence: readonly PresenceEvent[], reviews: readonly Review[]): ShopsBeside {
  const named = new Set<string>(history?.shops() ?? []);
  const mains = new Set<string>();
  for (const e of presence) {
    if (e.shop !== '') named.add(e.shop);
    const main = mainAccountOf(e.agent);
    if (main !== null) mains.add(main);
  }
  for (const r of reviews) if (r.shop !== '') named.add(r.shop);
  return { named: [...named], mains: [...mains] };
}

/** A store's shop as the one pass of a history run restored it (see historyStart). */
interface RestoredShop {
  /** The store's directory (the auditor's, in OnePassStart.directories, adds what this input tells as it is read). */
  before: ShopDirectory;
  /** The notice of exports missing before this run's days (its open items were settled), if any. */
  settled: string | null;
  /** Merchants and accounts this input tells of names the store had counted as buyers (lateRecognitions keeps those it did not know). */
  lateMerchants: string[];
  lateAccounts: string[];
}

/** What a one pass given its days (--covers) or shops (--shop) starts from: the store's shops restored (historyStart), or none (coversStart). */
interface OnePassStart {
  plans: Map<string, ShopPlan>;
  restored: Map<string, RestoredShop>;
  auditors: Map<string, ShopAuditor>;
  directories: Map<string, ShopDirectory>;
  /** Ids of the hour before this run's days (the store's), then of the end of its own: the repeats' memory. */
  seen: Map<string, number>;
  /** Whether a message's day is one the run feeds (--covers); rows of other days are counted apart. */
  feeds: (t: number) => boolean;
  outside: Map<string, number>;
  /** The shops audited (--shop), or null for all; rows of others are counted apart. */
  wanted: ReadonlySet<string> | null;
  /** The store's shops restored as it left them, not fed (--shop-folders: no folder of theirs); a row of one gives the pass up. */
  asLeft: Set<string>;
  otherShops: Map<string, number>;
  /** The latest time of a fed message, repeats included (RULES.md §1 Pending). */
  fedEnd: number | null;
  observe: (t: number) => void;
  learnt: (shop: string, kind: ShopFact, name: string) => void;
}

/**
 * A store's shop going on from `row`'s state: its auditor, with the store's directory and `fresh`
 * (this input's names) together. When this run feeds the shop days (`covers`) that leave a gap
 * after row's, the exports between are missing: what waited at the end of row's days stays
 * undecided (settled at that end), and a notice says so.
 */
function restoreShop(
  history: HistorySession,
  shop: string,
  row: CoverageRow,
  fresh: ShopDirectory | undefined,
  covers: DaySpan | null,
  zone: Zone,
  restoredAuditor: (shop: string, directory: ShopDirectory) => ShopAuditor,
): { auditor: ShopAuditor; saved: SavedShop; directory: ShopDirectory; settled: string | null } {
  const saved = history.restore(row);
  const directory = mergeDirectory(saved.directory, fresh);
  const auditor = restoredAuditor(shop, directory);
  auditor.restoreState(saved.state, row.dataEnd ?? zone.startOfDay(isoToDay(row.lastDay)! + 1));
  let settled: string | null = null;
  if (covers !== null && isoToDay(row.lastDay)! + 1 < covers.first) {
    auditor.settleOpen(row.dataEnd ?? zone.startOfDay(isoToDay(row.lastDay)! + 1) - 1);
    settled = `shop ${shop}: no export covers ${dayToIso(isoToDay(row.lastDay)! + 1)}..${dayToIso(covers.first - 1)}; what waited for a reply at the end of ${row.lastDay} stays as it was then`;
  }
  return { auditor, saved, directory, settled };
}

/**
 * A one pass given its days (--covers) or its shops (--shop), without a history yet: rows of other
 * days or shops are counted apart (whether a --shop names a shop of the input is told after it).
 */
function coversStart(covers: DaySpan | null, zone: Zone, wanted: ReadonlySet<string> | null, plans = new Map<string, ShopPlan>()): OnePassStart {
  const start: OnePassStart = {
    plans,
    restored: new Map(),
    auditors: new Map(),
    directories: new Map(),
    seen: new Map(),
    feeds: (t) => covers === null || isWithin(zone.dayOf(t), covers),
    outside: new Map(),
    wanted,
    asLeft: new Set(),
    otherShops: new Map(),
    fedEnd: null,
    observe: (t) => {
      if (start.feeds(t) && (start.fedEnd === null || t > start.fedEnd)) start.fedEnd = t;
    },
    learnt: (shop, kind, name) => {
      const restored = start.restored.get(shop);
      if (restored === undefined || kind === 'shop') return;
      if (start.auditors.get(shop)!.hasConversation(name)) (kind === 'account' ? restored.lateAccounts : restored.lateMerchants).push(name);
    },
  };
  return start;
}

/**
 * The one pass of a history run given its days (--covers): what the two passes do after pass 1,
 * done before the first row. Every shop of the store is fed (an export of every shop, or with
 * --shop those named, or with --shop-folders those of the folders), so each goes on from its
 * plan's base, with its saved directory, repeats and open items settled over missing days,
 * exactly as the restore after pass 1; rows of other shops (--shop) and days are counted apart,
 * and the store's shops not fed (--shop-folders) are restored as it left them: a row of one
 * gives the pass up (the two passes feed it). What pass 1 would have
 * told first is learnt as the rows come: a shop's account or merchant met after that name's
 * messages of this run were judged gives the pass up (rememberJudged(true): the restored
 * conversations were judged by earlier runs, which cannot be taken back and get a notice, as in
 * two passes). Plans of shops new to the store, and the notices, are taken when the pass is done.
 */
function historyStart(
  history: HistorySession,
  covers: DaySpan,
  wanted: ReadonlySet<string> | null,
  zone: Zone,
  restoredAuditor: (shop: string, directory: ShopDirectory) => ShopAuditor,
  /** --shop-folders: the shops of the folders and of the presence and review rows, the only ones fed. */
  folders: ReadonlySet<string> | null = null,
): OnePassStart {
  // The store's shops are fed (--shop: those named; --shop-folders: those of the folders),
  // whether this input has rows of them or not.
  const stored = history.shops().filter((shop) => wanted === null || wanted.has(shop));
  const fed = stored.filter((shop) => folders === null || folders.has(shop));
  const plans = history.plan([...fed].sort(), covers, true);
  const start = coversStart(covers, zone, wanted, plans);
  // As the two passes restore them: the shops fed from their plans' base, the others
  // (--shop-folders) as the store left them, a row of which gives the pass up.
  for (const shop of stored) {
    const fedTonight = plans.has(shop);
    const row = fedTonight ? plans.get(shop)!.base : history.latest(shop);
    if (row === null) continue;
    const { auditor, saved, directory, settled } = restoreShop(history, shop, row, undefined, fedTonight ? covers : null, zone, restoredAuditor);
    if (fedTonight) auditor.rememberJudged(true);
    else start.asLeft.add(shop);
    start.auditors.set(shop, auditor);
    start.directories.set(shop, directory);
    start.restored.set(shop, { before: saved.directory, settled, lateMerchants: [], lateAccounts: [] });
    for (const [key, t] of saved.seen) start.seen.set(key, t);
  }
  return start;
}

/**
 * The days of the chat and presence rows (review logs are snapshots: an old review in tonight's
 * export says nothing about which days it covers).
 */
function chatDays(scan: { firstT: number | null; lastT: number | null }, presence: readonly PresenceEvent[], zone: Zone): { first: number | null; last: number | null } {
  let first = scan.firstT;
  let last = scan.lastT;
  for (const e of presence) {
    if (first === null || e.t < first) first = e.t;
    if (last === null || e.t > last) last = e.t;
  }
  return { first: first === null ? null : zone.dayOf(first), last: last === null ? null : zone.dayOf(last) };
}

/** The days a history run feeds: --covers, else from its first to its last day of chat and presence rows. */
function coveredDays(covers: { from: string; to: string } | null, { first: firstDay, last: lastDay }: { first: number | null; last: number | null }): DaySpan {
  if (covers !== null) {
    const first = isoToDay(covers.from);
    const last = isoToDay(covers.to);
    if (first === null || last === null || first > last) throw new InputError(`--covers ${covers.from}..${covers.to}: not a range of dates (YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)`);
    return { first, last };
  }
  if (firstDay === null || lastDay === null) {
    throw new InputError('--history: the input holds no rows, so it covers no day; to record a day without any chat, say which with --covers YYYY-MM-DD');
  }
  return { first: firstDay, last: lastDay };
}

function isWithin(day: number, span: DaySpan): boolean {
  return day >= span.first && day <= span.last;
}

function keepCovered<T extends { origin: { file: string } }>(items: T[], covered: (item: T) => boolean, notAudited: NotAudited): T[] {
  const kept: T[] = [];
  for (const item of items) {
    if (covered(item)) kept.push(item);
    else notAudited.add(item.origin.file, OUTSIDE_COVERED_DAYS);
  }
  return kept;
}

function mergeDirectory(a: ShopDirectory, b: ShopDirectory | undefined): ShopDirectory {
  return {
    accounts: new Set([...a.accounts, ...(b?.accounts ?? [])]),
    merchantBuyers: new Set([...a.merchantBuyers, ...(b?.merchantBuyers ?? [])]),
  };
}

/**
 * FORMAT.md judges a conversation by what the whole input says of the buyer (a `merchant` flag,
 * an account of the shop). A history cannot take back counts of earlier days: when this run
 * first learns such a thing of a buyer the history already counted, it says so.
 */
function lateRecognitions(shop: string, before: ShopDirectory, now: ShopDirectory, counted: (name: string) => boolean): string[] {
  const notices: string[] = [];
  for (const buyer of now.merchantBuyers) {
    if (!before.merchantBuyers.has(buyer) && counted(buyer)) {
      notices.push(`shop ${shop}: buyer ${buyer} is first flagged merchant in this input; their conversations of earlier runs stay counted (rebuild the store from the raw logs to exclude them)`);
    }
  }
  for (const account of now.accounts) {
    if (!before.accounts.has(account) && counted(account)) {
      notices.push(`shop ${shop}: ${account} first appears as the shop's own account in this input; their conversations of earlier runs stay counted as a buyer's (rebuild the store from the raw logs to exclude them)`);
    }
  }
  return notices;
}

/** Days of the history's span no run covered for a shop. */
function missingDays(covered: readonly DaySpan[], span: DaySpan): Set<number> {
  const missing = new Set<number>();
  for (let day = span.first; day <= span.last; day++) if (!covered.some((c) => isWithin(day, c))) missing.add(day);
  return missing;
}

function historyReport(
  history: HistorySession,
  covers: DaySpan,
  shopData: Map<string, ShopHistory>,
  span: DaySpan | null,
  only: Set<string> | null,
): HistoryReport {
  const shops = [...shopData.entries()]
    .filter(([shop]) => only === null || only.has(shop))
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([shop, h]) => ({
      shop,
      covered: h.covered.map((c) => ({ from: dayToIso(c.first), to: dayToIso(c.last) })),
      missing_days: span === null ? [] : [...missingDays(h.covered, span)].map(dayToIso),
      data_end: h.dataEnd === null ? null : new Date(h.dataEnd).toISOString(),
      fed_now: history.fed(shop),
    }));
  return {
    file: history.store.file,
    run: history.run ?? 0,
    covers: { from: dayToIso(covers.first), to: dayToIso(covers.last) },
    runs: history.runCount(),
    shops,
    notices: history.notices,
  };
}

/**
 * --shop: the shops to audit, each checked against the shops the input holds. Presence and
 * review rows of other shops are dropped here and counted per file; chat rows as they stream.
 */
function narrowToShops(
  wanted: string[] | null,
  scan: { directories: Map<string, unknown> },
  presence: LogInput<PresenceEvent>,
  reviews: LogInput<Review>,
  notAudited: NotAudited,
  historyShops: readonly string[],
): Set<string> | null {
  if (wanted === null || wanted.length === 0) return null;
  const found = new Set<string>([...scan.directories.keys(), ...presence.items.map((e) => e.shop), ...reviews.items.map((r) => r.shop), ...historyShops]);
  const unknown = wanted.filter((s) => !found.has(s));
  if (unknown.length > 0) {
    const list = [...found].sort().join(', ') || 'none';
    throw new InputError(`--shop ${unknown.join(', ')}: not in the input${historyShops.length > 0 ? ' or the history' : ''} (shops found: ${list})`);
  }
  const only = new Set(wanted);
  for (const log of [presence, reviews] as LogInput<{ shop: string; origin: { file: string } }>[]) {
    const kept = log.items.filter((x) => only.has(x.shop));
    for (const x of log.items) if (!only.has(x.shop)) notAudited.add(x.origin.file, OTHER_SHOP);
    log.items = kept;
  }
  return only;
}

/**
 * A review id given twice (overlapping or snapshot exports) is one review: the first row in time
 * order, counted once. A later row may know more: the review's reply time is the earliest any
 * row gives (a reply, once written, exists; an export taken before it shows none).
 */
function dropRepeatedReviews(reviews: LogInput<Review>): void {
  const kept = new Map<string, Review>();
  for (const r of [...reviews.items].sort((a, b) => a.t - b.t || a.seq - b.seq)) {
    const key = reviewKey(r.shop, r.id);
    const first = kept.get(key);
    if (first) {
      takeEarlierReply(first, r);
      const stats = reviews.files.find((f) => f.file === r.origin.file);
      if (stats) {
        stats.duplicates++;
        stats.messages--;
      }
      continue;
    }
    kept.set(key, r);
  }
  reviews.items = [...kept.values()];
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

/** Online time of days no export covered is unknown, never zero. */
function withoutDays(series: AmountSeries, days: ReadonlySet<number>): AmountSeries {
  for (const day of days) series.delete(day);
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
  missing: ReadonlySet<number> = NO_DAYS,
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
      if (rules.latestMetric(id).kind === 'online_hours') seriesById.set(id, withoutDays(onlineSeries(presence, rules, id, coverage), missing));
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
      wholeDayOnline: coverage === null ? null : withoutDays(onlineSeries(presence, rules, null, coverage), missing),
      buyerDays,
    };
    const shop = tagPenalties ? result.shop : null;
    for (const id of rules.metricIds()) {
      if (rules.latestMetric(id).kind === 'online_hours') {
        const series = seriesById.get(id)!;
        const days = assessAmountDays(series, id, rules, first, last, input.first, missing);
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
      const days = assessDays(counter, id, rules, first, last, input.first, missing);
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
        ...(missing.has(day) ? { missing: true } : {}),
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

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
