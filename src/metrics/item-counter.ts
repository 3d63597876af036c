import { UNASSIGNED } from '../model.js';
import type { ItemDetail } from '../report/model.js';
import { TallyMap, type Tally } from './tally.js';

export type Outcome = 'passed' | 'failed' | 'pending';

/** A counter's state between runs (src/history): its tallies and whatever its subclass holds. */
export interface CounterState {
  days: Map<number, Tally>;
  agents: Map<string, Map<number, Tally>>;
  fields: Record<string, unknown>;
}

/** What a counter is built with rather than what it has counted: not saved, rebuilt on restore. */
const CONFIGURATION = new Set(['metricId', 'rules', 'trace', 'days', 'agents', 'keepsEvidence']);

/** Per day and per (day, agent) counts of one ratio metric, plus why items were not counted. */
export class ItemCounter {
  readonly days = new TallyMap<number>();
  /** agent → day → tally */
  readonly agents = new Map<string, TallyMap<number>>();
  /** day → reason → count of items not counted */
  readonly excluded = new Map<number, Map<string, number>>();
  /** Failed items a metric keeps for per-item penalties (e.g. each unanswered negative review). */
  readonly failedItems: { day: number; agent: string; what: string }[] = [];

  /** Failed and pending items with their evidence, kept only when details are asked for (--details). */
  details: ItemDetail[] | null = null;
  /**
   * Whether items waiting for their verdict keep what their evidence quotes (the messages): with
   * --details, and when a later run goes on from this state (--history), whose --details quotes
   * them. Otherwise nothing asks for it, and a message kept for a day only burdens the collector
   * (issue 8: taojiji 8 % faster).
   */
  keepsEvidence = true;

  record(day: number, agent: string | null, outcome: Outcome, evidence?: () => Omit<ItemDetail, 'metric' | 'outcome' | 'agent'>): void {
    const name = agent ?? UNASSIGNED;
    if (this.details !== null && outcome !== 'passed' && evidence) {
      this.details.push({ metric: this.metricName(), outcome, agent: name, ...evidence() });
    }
    let perAgent = this.agents.get(name);
    if (!perAgent) this.agents.set(name, (perAgent = new TallyMap()));
    for (const t of [this.days.get(day), perAgent.get(day)]) bump(t, outcome);
  }

  /** The metric id, for evidence (set by the subclasses). */
  protected metricName(): string {
    return (this as unknown as { metricId?: string }).metricId ?? '';
  }

  /**
   * Everything counted so far and every item still undecided (rounds, buyer-days, cards), as plain
   * data: a later run restores it and goes on as if it had never stopped. Generic over the
   * subclasses' own fields, so a new counter cannot forget one. Functions are the hooks the
   * registry attaches (configuration, rebuilt by the factory); a class instance among the fields
   * would come back without its methods, which the history contract test would catch.
   */
  saveState(): CounterState {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (!CONFIGURATION.has(key) && typeof value !== 'function') fields[key] = value;
    }
    return { days: this.days.toMap(), agents: new Map([...this.agents].map(([a, t]) => [a, t.toMap()])), fields };
  }

  restoreState(state: CounterState): void {
    this.days.load(state.days);
    this.agents.clear();
    for (const [agent, days] of state.agents) {
      const t = new TallyMap<number>();
      t.load(days);
      this.agents.set(agent, t);
    }
    for (const [key, value] of Object.entries(state.fields)) {
      // v8.deserialize makes a typed array a view into the whole decoded state (src/history): a
      // copy lets the rest of it go (a shop's 16 KB of card levels held 68 MB).
      (this as unknown as Record<string, unknown>)[key] = ArrayBuffer.isView(value) && !(value instanceof DataView) ? copyOf(value as Uint8Array) : value;
    }
  }

  exclude(day: number, reason: string): void {
    let reasons = this.excluded.get(day);
    if (!reasons) this.excluded.set(day, (reasons = new Map()));
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
}

function bump(t: Tally, outcome: Outcome): void {
  if (outcome === 'pending') t.pending++;
  else {
    t.eligible++;
    if (outcome === 'passed') t.passed++;
  }
}

/** A typed array's copy, of its own kind (the typed arrays' own slice: a Buffer's would be a view). */
const copyOf = (view: Uint8Array): Uint8Array => (Object.getPrototypeOf(Uint8Array.prototype) as { slice: (this: Uint8Array) => Uint8Array }).slice.call(view);
