import { UNASSIGNED } from '../model.js';
import type { ItemDetail } from '../report/model.js';
import { TallyMap, type Tally } from './tally.js';

export type Outcome = 'passed' | 'failed' | 'pending';

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
