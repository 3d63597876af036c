import { EVALUATION_LEVELS, type EvaluationLevel, type Message, type Origin } from '../model.js';
import { withRoom } from '../engine/columns.js';
import { NameTable } from '../engine/name-table.js';
import type { RuleSet } from '../rules/rule-set.js';
import { localTime } from '../time/local.js';
import { dayToIso } from '../time/zone.js';
import { ItemCounter, type CounterState } from './item-counter.js';

/**
 * Evaluation-card metrics (e.g. 旺旺满意度): per card the latest level wins, a new card is a new
 * evaluation. A card counts on the day of its first evaluation and for the account the card
 * evaluates (the first row naming one).
 *
 * Every card waits for the end of the data (a later row may change its level, and the rules give
 * no limit), so a month of a large shop holds hundreds of thousands. Each is a number (its order
 * of arrival) indexing the columns below, not objects of its own (issue 8: 20 M messages held
 * 250 000 cards in about 85 MB, keys and objects); the counter is its shop's, so the card id
 * alone is the key. The ids are in a NameTable, not a Map of strings (about half the memory).
 */
export class EvaluationCounter extends ItemCounter {
  /** Card ids, numbered as they arrive (a private field: saveState stores it as a Map). */
  #cards = new NameTable();
  /** Per card: the day of its first evaluation, its latest level (index in EVALUATION_LEVELS), its latest row's time. */
  private day = new Float64Array(64);
  private level = new Uint8Array(64);
  private lastT = new Float64Array(64);
  /** The account it evaluates: the first row naming one (null until then). */
  private agent: (string | null)[] = [];
  /** What the evidence quotes of the first row, kept only when evidence can be asked for (keepsEvidence). */
  private firstT = new Float64Array(64);
  private firstBuyer: string[] = [];
  private firstOrigin: Origin[] = [];

  constructor(
    readonly metricId: string,
    private readonly rules: RuleSet,
  ) {
    super();
  }

  /** `m` is an evaluation row of this counter's shop that survived the message exclusions; rows arrive in time order. */
  add(m: Message, day: number): void {
    const level = EVALUATION_LEVELS.indexOf(m.level!);
    const known = this.#cards.find(m.card!);
    if (known >= 0) {
      this.level[known] = level;
      this.lastT[known] = m.t;
      if (this.agent[known] === null) this.agent[known] = m.agent;
      return;
    }
    const card = this.#cards.add(m.card!);
    this.day = withRoom(this.day, card + 1);
    this.level = withRoom(this.level, card + 1);
    this.lastT = withRoom(this.lastT, card + 1);
    this.day[card] = day;
    this.level[card] = level;
    this.lastT[card] = m.t;
    this.agent.push(m.agent);
    if (this.keepsEvidence) {
      this.firstT = withRoom(this.firstT, card + 1);
      this.firstT[card] = m.t;
      this.firstBuyer[card] = m.buyer;
      this.firstOrigin[card] = m.origin;
    }
  }

  finish(_dataEnd?: number): void {
    for (let card = 0; card < this.#cards.size; card++) {
      const id = this.#cards.nameOf(card);
      const day = this.day[card]!;
      const rule = this.rules.metricAt(this.metricId, day);
      if (rule === null || rule.kind !== 'evaluation_rate') {
        this.exclude(day, 'not_in_force');
        continue;
      }
      const level: EvaluationLevel = EVALUATION_LEVELS[this.level[card]!]!;
      const passed = rule.passed_levels.value.includes(level);
      this.record(day, this.agent[card]!, passed ? 'passed' : 'failed', () => ({
        date: dayToIso(day),
        buyer: this.firstBuyer[card]!,
        start: localTime(this.firstT[card]!, this.rules.zone),
        text: `card ${id}: ${level}`,
        reply_time: null,
        delay_seconds: null,
        reason: `level ${level} (latest, ${localTime(this.lastT[card]!, this.rules.zone)}) is not one of ${rule.passed_levels.value.join(', ')} [${rule.passed_levels.source}]`,
        origin: this.firstOrigin[card]!,
      }));
    }
    this.#cards = new NameTable();
    this.agent = [];
    this.firstBuyer = [];
    this.firstOrigin = [];
  }

  /** The state to go on from: the cards as a Map of id → number, as history stores have held them. */
  override saveState(): CounterState {
    const state = super.saveState();
    state.fields.cards = new Map(Array.from({ length: this.#cards.size }, (_, card) => [this.#cards.nameOf(card), card]));
    return state;
  }

  override restoreState(state: CounterState): void {
    const { cards, ...fields } = state.fields as { cards?: Map<string, number> };
    super.restoreState({ ...state, fields });
    this.#cards = new NameTable();
    // Numbered 0, 1, 2, … in the Map's order, as they were given.
    for (const [id, card] of cards ?? []) {
      if (this.#cards.add(id) !== card) throw new Error(`saved evaluation cards out of order at ${id}`);
    }
  }
}
