import { InputError } from '../errors.js';
import type { PresenceEvent, PresenceStatus } from '../normalize/presence-row.js';
import { reviewKey, takeEarlierReply, type Review } from '../normalize/review-row.js';
import type { Report } from '../report/model.js';
import type { RuleSet } from '../rules/rule-set.js';
import { dayToIso, isoToDay } from '../time/zone.js';
import { VERSION } from '../version.js';
import { decodeShop, encodeShop, READABLE_STATE_FORMATS, STATE_FORMAT, type SavedShop } from './state-codec.js';
import { HistoryStore, type CoverageRow, type Row } from './store.js';

/** Local days, inclusive. */
export interface DaySpan {
  first: number;
  last: number;
}

/**
 * Engine states kept per shop: enough to re-run any of the last five weeks of nights. Older
 * days can be changed only by rebuilding the store from the raw logs.
 */
export const STATES_KEPT = 35;

/** What a run does to one shop's chain of runs. */
export interface ShopPlan {
  /** The run whose end state this run continues from; null: the shop starts here. */
  base: CoverageRow | null;
  /** Runs whose days this run feeds again (re-running a day replaces it). */
  superseded: CoverageRow[];
}

/** What the history knows of one shop once this run is recorded. */
export interface ShopHistory {
  /** Days some run covered, in order. */
  covered: DaySpan[];
  /** The latest data end of the runs that covered the shop (RULES.md §1 Pending, per shop). */
  dataEnd: number | null;
}

/**
 * One run against a history store: which earlier runs it continues or replaces, per shop; the
 * saved engine states; presence and review rows; and, after the report, the day facts.
 * Knows no platform: the rules only identify themselves (id and a hash of the pack).
 */
export class HistorySession {
  readonly notices: string[] = [];
  private readonly chains = new Map<string, CoverageRow[]>();
  private runId: number | null = null;

  private constructor(
    readonly store: HistoryStore,
    private readonly rules: RuleSet,
  ) {
    for (const row of store.coverage()) {
      let chain = this.chains.get(row.shop);
      if (!chain) this.chains.set(row.shop, (chain = []));
      chain.push(row);
    }
  }

  static async open(file: string, rules: RuleSet): Promise<HistorySession> {
    const store = await HistoryStore.open(file);
    try {
      const hash = rules.sha256;
      const recorded = { platform: store.meta('platform'), rules: store.meta('rules_sha256'), state: store.meta('engine_state') };
      if (recorded.platform === null) {
        store.setMeta('platform', rules.pack.id);
        store.setMeta('rules_sha256', hash);
        store.setMeta('rules_version', rules.pack.versions.at(-1)!.version);
        store.setMeta('engine_state', STATE_FORMAT);
        store.setMeta('timezone', rules.zone.name);
      } else if (recorded.platform !== rules.pack.id) {
        throw new InputError(`--history ${file} records platform ${recorded.platform}, not ${rules.pack.id}: keep one store per platform`);
      } else if (recorded.rules !== hash) {
        throw new InputError(
          `--history ${file} was recorded under other rules for ${rules.pack.id} (version ${store.meta('rules_version') ?? '?'}); its days were judged by them. ` +
            'Rebuild the store from the raw logs under these rules (README: "Rebuilding the store"), or start a new --history file',
        );
      } else if (recorded.state === null || !READABLE_STATE_FORMATS.includes(recorded.state)) {
        throw new InputError(`--history ${file} holds engine state ${recorded.state}; this cs-audit ${VERSION} keeps ${STATE_FORMAT}: rebuild the store from the raw logs`);
      } else if (recorded.state !== STATE_FORMAT) {
        // The states it holds are read as they are; those this run writes are STATE_FORMAT, which
        // an older cs-audit must refuse rather than misread.
        store.setMeta('engine_state', STATE_FORMAT);
      }
      return new HistorySession(store, rules);
    } catch (err) {
      store.close();
      throw err;
    }
  }

  /** Shops the store has runs for. */
  shops(): string[] {
    return [...this.chains.keys()].sort();
  }

  /**
   * Where each shop of this run stands: the run it continues from, and the runs it replaces.
   * Re-running days replaces the runs that fed them, but only whole runs: a run that fed days
   * outside this run's days (before or after) cannot be cut, since its end state mixes them.
   */
  plan(shops: readonly string[], covers: DaySpan, explicit: boolean): Map<string, ShopPlan> {
    const plans = new Map<string, ShopPlan>();
    for (const shop of shops) {
      const chain = this.chains.get(shop) ?? [];
      const superseded = chain.filter((r) => isoToDay(r.lastDay)! >= covers.first);
      if (superseded.length > 0 && !explicit) {
        // A stray old row must not replace nights silently: replacing is said with --covers.
        throw new InputError(
          `--history: this input reaches back to ${dayToIso(covers.first)}, and the store already holds shop ${shop}'s ` +
            `${superseded.map((r) => (r.firstDay === r.lastDay ? r.firstDay : `${r.firstDay}..${r.lastDay}`)).join(', ')}. ` +
            `To replace those days with this input, say so with --covers ${dayToIso(covers.first)}..${dayToIso(covers.last)}; ` +
            'to feed only the new days, give --covers with those days (older rows are then counted, not audited)',
        );
      }
      for (const r of superseded) {
        const first = isoToDay(r.firstDay)!;
        const last = isoToDay(r.lastDay)!;
        if (first < covers.first || last > covers.last) {
          const from = dayToIso(Math.min(first, covers.first));
          const to = dayToIso(Math.max(last, ...superseded.map((s) => isoToDay(s.lastDay)!), covers.last));
          const why =
            last > covers.last
              ? `the store holds shop ${shop}'s days up to ${dayToIso(Math.max(last, ...superseded.map((x) => isoToDay(x.lastDay)!)))}, which continue from the days this input would change`
              : `shop ${shop}'s days ${r.firstDay}..${r.lastDay} were fed by one run, and this input covers only part of them`;
          throw new InputError(
            `--history: cannot feed ${dayToIso(covers.first)}..${dayToIso(covers.last)} alone: ${why}. ` +
              `Feed the logs of ${from}..${to} again in one run (with --covers ${from}..${to}), or rebuild the store`,
          );
        }
      }
      const before = chain.filter((r) => isoToDay(r.lastDay)! < covers.first);
      const base = before.at(-1) ?? null;
      if (base !== null && this.store.state(base.run, shop) === null) {
        throw new InputError(
          `--history: shop ${shop}'s days from ${dayToIso(covers.first)} continue from the state at the end of ${base.lastDay}, which the store ` +
            `no longer keeps (it keeps the last ${STATES_KEPT} runs' states per shop). Rebuild the store from the raw logs to change days that old`,
        );
      }
      plans.set(shop, { base, superseded });
      if (superseded.length > 0) {
        const days = superseded.map((r) => (r.firstDay === r.lastDay ? r.firstDay : `${r.firstDay}..${r.lastDay}`)).join(', ');
        this.notices.push(`shop ${shop}: replacing ${days} recorded earlier`);
      }
    }
    return plans;
  }

  /** The latest state of a shop this run has no input for (it is reported as the store left it). */
  latest(shop: string): CoverageRow | null {
    return this.chains.get(shop)?.at(-1) ?? null;
  }

  restore(row: CoverageRow): SavedShop {
    const bytes = this.store.state(row.run, row.shop);
    // The latest run of a shop always keeps its state; plan() checks the bases of replacements.
    if (bytes === null) throw new Error(`history: no state kept for run ${row.run}, shop ${row.shop}`);
    return decodeShop(bytes);
  }

  /**
   * Record this run: for each shop it covered, drop the runs it replaces, then keep its end state
   * and its presence and review rows. Reviews already recorded (same id) are repeats, returned
   * so the run can count them as duplicates; a repeat that gives an earlier reply updates it.
   */
  record(
    inputs: string[],
    covers: DaySpan,
    dataEnd: number | null,
    everyShop: boolean,
    plans: Map<string, ShopPlan>,
    saved: Map<string, SavedShop>,
    presence: readonly PresenceEvent[],
    reviews: readonly Review[],
  ): Review[] {
    for (const [shop, plan] of plans) for (const r of plan.superseded) this.store.dropCoverage(r.run, shop, everyShop);
    const days = { first: dayToIso(covers.first), last: dayToIso(covers.last) };
    const run = this.store.addRun(new Date().toISOString(), VERSION, inputs, days, everyShop, dataEnd);
    this.runId = run;
    for (const [shop, state] of saved) {
      const row: CoverageRow = { run, shop, firstDay: dayToIso(covers.first), lastDay: dayToIso(covers.last), dataEnd };
      this.store.addCoverage(row, encodeShop(state));
      this.store.pruneStates(shop, STATES_KEPT);
      const chain = (this.chains.get(shop) ?? []).filter((r) => !plans.get(shop)?.superseded.includes(r));
      chain.push(row);
      this.chains.set(shop, chain);
    }
    this.store.insert(
      'presence',
      presence.map((e) => ({ run, shop: e.shop, t: e.t, seq: e.seq, agent: e.agent, status: e.status, file: e.origin.file, line: e.origin.line })),
    );
    const known = new Map<string, { replyT: number | null; agent: string | null }>();
    for (const r of this.reviews()) known.set(reviewKey(r.shop, r.id), { replyT: r.replyT, agent: r.agent });
    const repeats: Review[] = [];
    const fresh: Row[] = [];
    const replies: Row[] = [];
    for (const r of reviews) {
      const key = reviewKey(r.shop, r.id);
      const stored = known.get(key);
      if (stored) {
        // A review recorded earlier: this row can only tell its reply, recorded as this run's,
        // so that replacing this run takes it back.
        if (takeEarlierReply(stored, r)) replies.push({ run, shop: r.shop, review_id: r.id, reply_t: r.replyT, agent: r.agent });
        repeats.push(r);
        continue;
      }
      known.set(key, { replyT: r.replyT, agent: r.agent });
      fresh.push({
        run, shop: r.shop, t: r.t, seq: r.seq, review_id: r.id, rating: r.rating, has_content: r.hasContent ? 1 : 0,
        content: r.content, reply_t: r.replyT, agent: r.agent, file: r.origin.file, line: r.origin.line,
      });
    }
    this.store.insert('reviews', fresh);
    this.store.insert('review_replies', replies);
    return repeats;
  }

  /** Every presence row recorded, in time order (runs cover disjoint days, so never a tie across runs). */
  presence(): PresenceEvent[] {
    return this.store.all('SELECT * FROM presence ORDER BY t, run, seq').map((r, seq) => ({
      t: Number(r.t),
      seq,
      shop: String(r.shop),
      agent: String(r.agent),
      status: String(r.status) as PresenceStatus,
      origin: { file: String(r.file), line: Number(r.line) },
    }));
  }

  /** Every review recorded, with the earliest reply any run gave it. */
  reviews(): Review[] {
    const replies = new Map<string, { replyT: number; agent: string | null }>();
    for (const r of this.store.all('SELECT shop, review_id, reply_t, agent FROM review_replies ORDER BY reply_t')) {
      const key = reviewKey(String(r.shop), String(r.review_id));
      if (!replies.has(key)) replies.set(key, { replyT: Number(r.reply_t), agent: r.agent === null ? null : String(r.agent) });
    }
    return this.store.all('SELECT * FROM reviews ORDER BY t, run, seq').map((r, seq) => {
      const review: Review = {
        t: Number(r.t),
        seq,
        shop: String(r.shop),
        id: String(r.review_id),
        rating: Number(r.rating),
        hasContent: Number(r.has_content) === 1,
        content: String(r.content),
        replyT: r.reply_t === null ? null : Number(r.reply_t),
        agent: r.agent === null ? null : String(r.agent),
        origin: { file: String(r.file), line: Number(r.line) },
      };
      const later = replies.get(reviewKey(review.shop, review.id));
      if (later) takeEarlierReply(review, later);
      return review;
    });
  }

  /** Every shop's covered days and data end, as recorded (this run included once recorded). */
  histories(): Map<string, ShopHistory> {
    const out = new Map<string, ShopHistory>();
    // A whole export covered every shop, those the store learned of only later included.
    const everyShop = this.store.everyShopDays();
    for (const [shop, chain] of this.chains) {
      let dataEnd: number | null = null;
      for (const r of chain) if (r.dataEnd !== null && (dataEnd === null || r.dataEnd > dataEnd)) dataEnd = r.dataEnd;
      const spans = [...chain, ...everyShop]
        .map((r) => ({ first: isoToDay(r.firstDay)!, last: isoToDay(r.lastDay)! }))
        .sort((a, b) => a.first - b.first);
      const covered: DaySpan[] = [];
      for (const span of spans) {
        const previous = covered.at(-1);
        if (previous && previous.last + 1 >= span.first) previous.last = Math.max(previous.last, span.last);
        else covered.push({ ...span });
      }
      out.set(shop, { covered, dataEnd });
    }
    return out;
  }

  /**
   * The report's day facts, for SQL: the reported days of each reported shop are rewritten, so
   * they match the latest report that showed them; other days keep what earlier reports wrote.
   */
  writeFacts(report: Report): void {
    if (report.period.from === null || report.period.to === null) return;
    for (const shop of report.shops) this.store.clearDays(shop.shop, report.period.from, report.period.to);
    for (const shop of report.shops) {
      const metricRows: Row[] = [];
      for (const m of shop.metrics) {
        const base = (d: { date: string; status: string; missing?: boolean; note?: string }): Row => ({
          shop: shop.shop, metric: m.id, day: d.date, agent: '', status: d.status, missing: d.missing === true ? 1 : 0, note: d.note ?? null,
        });
        if (m.unit === 'hours') {
          for (const d of m.days) metricRows.push({ ...base(d), hours: d.value, window_hours: d.window?.value ?? null });
          continue;
        }
        for (const d of m.days) {
          metricRows.push({ ...base(d), eligible: d.eligible, passed: d.passed, pending: d.pending, window_rate: d.window?.rate ?? null });
          for (const a of d.agents ?? []) {
            metricRows.push({ ...base(d), agent: a.agent, status: null, note: null, eligible: a.eligible, passed: a.passed, pending: a.pending });
          }
        }
      }
      this.store.insert('day_metrics', metricRows);
      this.store.insert(
        'activity',
        shop.activity.map((a) => ({
          shop: shop.shop, day: a.date, buyers: a.buyers, buyer_messages: a.buyer_messages, shop_messages: a.shop_messages,
          rounds: a.rounds, seller_first_rounds: a.seller_first_rounds, sessions: a.sessions, missing: a.missing === true ? 1 : 0,
        })),
      );
      this.store.insert(
        'penalties',
        shop.penalties.map((p) => ({
          shop: shop.shop, date: p.date, metric: p.metric, kind: p.kind, amount_cny: p.amount_cny, points: p.points,
          days: p.days ?? null, clause: p.clause, reason: p.reason,
        })),
      );
    }
  }

  /** Whether this run fed the shop (else it is reported as the store left it). */
  fed(shop: string): boolean {
    return this.runId !== null && (this.chains.get(shop) ?? []).some((r) => r.run === this.runId);
  }

  /** From the first to the last day any recorded run covered; null before the first run. */
  daySpan(): DaySpan | null {
    const row = this.store.all('SELECT min(first_day) AS first, max(last_day) AS last FROM runs')[0];
    if (!row || row.first === null || row.last === null) return null;
    return { first: isoToDay(String(row.first))!, last: isoToDay(String(row.last))! };
  }

  /** Runs recorded in the store. */
  runCount(): number {
    return Number(this.store.all('SELECT count(*) AS n FROM runs')[0]?.n ?? 0);
  }

  /** The run's number in the store, once recorded. */
  get run(): number | null {
    return this.runId;
  }

  save(): void {
    this.store.save();
  }

  close(): void {
    this.store.close();
  }
}
