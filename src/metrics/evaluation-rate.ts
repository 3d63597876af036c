import type { EvaluationLevel, Message } from '../model.js';
import type { RuleSet } from '../rules/rule-set.js';
import { localTime } from '../time/local.js';
import { dayToIso } from '../time/zone.js';
import { ItemCounter } from './item-counter.js';

interface Card {
  day: number;
  agent: string | null;
  level: EvaluationLevel;
  /** What the evidence quotes of the first row: a card waits for the end of the data, its row need not. */
  first: Pick<Message, 'buyer' | 't' | 'card' | 'origin'>;
  lastT: number;
}

/**
 * Evaluation-card metrics (e.g. 旺旺满意度): per card the latest level wins, a new card is a new
 * evaluation. A card counts on the day of its first evaluation and for the account the card
 * evaluates (the first row naming one).
 */
export class EvaluationCounter extends ItemCounter {
  private readonly cards = new Map<string, Card>();

  constructor(
    readonly metricId: string,
    private readonly rules: RuleSet,
  ) {
    super();
  }

  /** `m` is an evaluation row that survived the message exclusions; rows arrive in time order. */
  add(m: Message, day: number): void {
    const key = `${m.shop}\u0000${m.card}`;
    const card = this.cards.get(key);
    if (card) {
      card.level = m.level!;
      card.lastT = m.t;
      if (card.agent === null) card.agent = m.agent;
    } else {
      const first = { buyer: m.buyer, t: m.t, card: m.card, origin: m.origin };
      this.cards.set(key, { day, agent: m.agent, level: m.level!, first, lastT: m.t });
    }
  }

  finish(_dataEnd?: number): void {
    for (const card of this.cards.values()) {
      const rule = this.rules.metricAt(this.metricId, card.day);
      if (rule === null || rule.kind !== 'evaluation_rate') {
        this.exclude(card.day, 'not_in_force');
        continue;
      }
      const passed = rule.passed_levels.value.includes(card.level);
      this.record(card.day, card.agent, passed ? 'passed' : 'failed', () => ({
        date: dayToIso(card.day),
        buyer: card.first.buyer,
        start: localTime(card.first.t, this.rules.zone),
        text: `card ${card.first.card}: ${card.level}`,
        reply_time: null,
        delay_seconds: null,
        reason: `level ${card.level} (latest, ${localTime(card.lastT, this.rules.zone)}) is not one of ${rule.passed_levels.value.join(', ')} [${rule.passed_levels.source}]`,
        origin: card.first.origin,
      }));
    }
    this.cards.clear();
  }
}
