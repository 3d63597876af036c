import type { ConductSummary, Finding, Penalty } from '../report/model.js';
import type { ConductRules } from '../rules/pack-types.js';
import { DETECTORS } from './detectors.js';

/**
 * The reported days' findings, each with the penalty its pack attaches (once per finding, from
 * the pack's `from_occurrence`-th finding with the same buyer on), the penalties themselves, and
 * the counts per detector and per agent.
 */
export function conductReport(
  all: readonly Finding[],
  rules: ConductRules,
  fromIso: string,
  toIso: string,
  shopTag: string | null,
  mask: ((buyer: string) => string) | null,
): { findings: Finding[]; summary: ConductSummary; penalties: Penalty[] } {
  const findings: Finding[] = [];
  const penalties: Penalty[] = [];
  for (const f of all) {
    if (f.date < fromIso || f.date > toIso) continue;
    const rule = rules.penalties.find((p) => p.detector === f.detector && f.occurrence >= (p.from_occurrence ?? 1));
    const shown: Finding = { ...f, buyer: mask ? mask(f.buyer) : f.buyer };
    if (rule) {
      const c = rule.consequence;
      shown.penalty = { kind: c.kind, points: c.points ?? 0, amount_cny: c.amount_cny ?? 0, ...(c.days ? { days: c.days } : {}) };
      penalties.push({
        ...(shopTag !== null ? { shop: shopTag } : {}),
        date: f.date,
        metric: 'conduct',
        detector: f.detector,
        kind: c.kind,
        amount_cny: c.amount_cny ?? 0,
        points: c.points ?? 0,
        ...(c.ledger ? { ledger: c.ledger } : {}),
        ...(c.days ? { days: c.days } : {}),
        clause: c.clause,
        reason: `${f.detector}: "${f.matched}" in ${f.agent}'s message to ${shown.buyer} at ${f.time}${f.occurrence > 1 ? ` (finding no. ${f.occurrence} with this buyer)` : ''} [${c.source}]`,
      });
    }
    findings.push(shown);
  }
  const agents = new Map<string, Record<string, number>>();
  for (const f of findings) {
    const by = agents.get(f.agent) ?? {};
    by[f.detector] = (by[f.detector] ?? 0) + 1;
    agents.set(f.agent, by);
  }
  const summary: ConductSummary = {
    detectors: DETECTORS.map((d) => ({
      detector: d.id,
      description: d.description,
      findings: findings.filter((f) => f.detector === d.id).length,
      penalized: findings.filter((f) => f.detector === d.id && f.penalty !== undefined).length,
    })),
    agents: [...agents.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([agent, by]) => ({ agent, findings: Object.values(by).reduce((n, v) => n + v, 0), by_detector: by })),
  };
  return { findings, summary, penalties };
}
