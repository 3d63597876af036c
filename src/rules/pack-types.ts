// The rule pack format (platforms/*.json, validated by platforms/pack.schema.json).
// A pack is data: every value a rule depends on, with its source and the date it took effect.
import type { AssessmentPeriod } from '../metrics/periods.js';
import type { EvaluationLevel, Flag, MessageType, Sender } from '../model.js';

/** One rule value with where it comes from. `since` defaults to the version's effective date. */
export interface Clause<T> {
  value: T;
  source: string;
  since?: string;
  note?: string;
}

export interface Target {
  op: '>=' | '>' | '<=' | '<';
  value: number;
  source: string;
  since?: string;
  /** True when no official number is known and the pack ships a guess for the user to set. */
  assumed?: boolean;
}

export interface DailyWindow {
  from: string;
  to: string;
  source: string;
  since?: string;
}

export interface Assessment {
  /** What each day's assessment covers: a rolling window or the month to date. */
  period: Clause<AssessmentPeriod>;
  /** Below this many items in the window the metric is not assessed (status n/a). */
  min_volume: Clause<number>;
}

export interface Consequence {
  kind: 'warning' | 'fine' | 'points' | 'restriction';
  amount_cny?: number;
  points?: number;
  /** The points ledger (Xiaohongshu keeps general 一般 and serious 严重 points apart). */
  ledger?: string;
  days?: number;
  /** What the platform does, in words, for the report. */
  clause: string;
  source: string;
  since?: string;
}

/** Bounds of a number: every given bound must hold. */
export interface Bound {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

interface PenaltyRuleBase {
  source: string;
  since?: string;
  note?: string;
}

/**
 * When a metric's failures cost something:
 * - `failing_day`: every day whose assessment fails;
 * - `failing_item`: every failed item (e.g. each negative review not replied in time), on its day;
 * - `failing_days_in_month`: the `count`-th failing day of a calendar month, once a month;
 * - `consecutive_failing_months`: `months` calendar months in a row whose own aggregate fails,
 *   dated on the last day of the last month the input covers; runs do not overlap;
 * - `zero_days_run`: `days` days in a row with nothing (zero online time), on the last of them;
 *   runs do not overlap;
 * - `assessment_cycle`: a failing assessment starts a penalty of `days`; no assessment while it
 *   runs; the next cycle starts the day after; at most one penalty per calendar month;
 * - `robot_takeover`: buyers wrote on day D and each of the `days` days before D had under
 *   `below_hours` of whole-day online time: on the first day of each run of such days;
 * - `failing_months_together`: months in which any of `metrics` misses its monthly target; runs of
 *   such months reaching a ladder step cost that step's consequences, on the month's last day;
 * - `monthly_tiers`: the month's rate and volume (eligible items of `volume_metric`) against tiers,
 *   the first matching tier applying, dated on the last day of the month the input covers.
 */
export type PenaltyRule =
  | (PenaltyRuleBase & { when: 'failing_day'; consequences: Consequence[] })
  | (PenaltyRuleBase & { when: 'failing_item'; consequences: Consequence[] })
  | (PenaltyRuleBase & { when: 'failing_days_in_month'; count: number; consequences: Consequence[] })
  | (PenaltyRuleBase & { when: 'consecutive_failing_months'; months: number; consequences: Consequence[] })
  | (PenaltyRuleBase & { when: 'zero_days_run'; days: number; consequences: Consequence[] })
  | (PenaltyRuleBase & { when: 'assessment_cycle'; once_per_month: boolean; consequences: Consequence[] })
  | (PenaltyRuleBase & {
      when: 'robot_takeover';
      /** Days before D that must each be under `below_hours` of whole-day online time. */
      days: number;
      below_hours: number;
      consequences: Consequence[];
    })
  | (PenaltyRuleBase & {
      when: 'failing_months_together';
      /** A month fails when any of these metrics misses its own monthly target. */
      metrics: string[];
      /** Consequences when a run of failing months reaches `months`. */
      ladder: { months: number; consequences: Consequence[] }[];
      /** The first months of the input that are not assessed (new shops; 0: none). */
      exempt_first_months: number;
    })
  | (PenaltyRuleBase & {
      when: 'monthly_tiers';
      volume_metric: string;
      tiers: { volume: Bound; rate: Bound; consequences: Consequence[] }[];
    });

interface MetricBase {
  id: string;
  name: { zh: string; en: string };
  target: Target;
  assessment: Assessment;
  /** What failing costs: penalty rules, each with its consequences (RULES.md §1 Penalty dates). */
  penalties: PenaltyRule[];
}

export interface RoundResponseMetric extends MetricBase {
  kind: 'round_response';
  unit: 'round';
  window: DailyWindow;
  threshold_seconds: Clause<number>;
  exclude_rounds: {
    /** Rounds open while the conversation was with an automatic bot (the bot hold). */
    bot_handled: Clause<boolean>;
    /** Rounds answered in 0 whole seconds. */
    zero_second: Clause<boolean>;
    /** Buyer messages from a `blacklist` event on, and the round open then. */
    blacklisted: Clause<boolean>;
    /** Rounds holding a buyer message flagged `abusive`. */
    abusive: Clause<boolean>;
  };
}

export interface EvaluationRateMetric extends MetricBase {
  kind: 'evaluation_rate';
  unit: 'evaluation';
  passed_levels: Clause<EvaluationLevel[]>;
}

/** Per-buyer daily metrics (有效回复率, 回复率): one item per buyer and day. */
export interface BuyerDailyMetric extends MetricBase {
  kind: 'buyer_daily';
  unit: 'buyer';
  /** A buyer consults on day D with a question in this window of D. */
  window: DailyWindow;
  /**
   * `every_message_within`: every question in the window got a valid reply within threshold_seconds.
   * `any_reply_same_day`: a valid reply came after the buyer's first question of the day, that day.
   */
  rule: Clause<'every_message_within' | 'any_reply_same_day'>;
  threshold_seconds?: Clause<number>;
}

/** Session first-response metrics: one item per buyer-initiated session opened in the window. */
export interface SessionResponseMetric extends MetricBase {
  kind: 'session_response';
  unit: 'session';
  window: DailyWindow;
  threshold_seconds: Clause<number>;
}

/** Online time per day (unit hours), from the presence log: the union of the shop's accounts. */
export interface OnlineHoursMetric extends Omit<MetricBase, 'assessment'> {
  kind: 'online_hours';
  unit: 'hours';
  /** The part of each day that counts (e.g. 09:00-24:00). */
  window: DailyWindow;
  /** Hours per day (on the day, or on average over the assessment period). */
  assessment: { period: Clause<AssessmentPeriod> };
}

/** Written replies to reviews (from the review log): one item per review in the rating range. */
export interface ReviewReplyMetric extends MetricBase {
  kind: 'review_reply';
  unit: 'review';
  /** Star ratings that must be answered (e.g. 1-2, 差评). */
  ratings: Clause<number[]>;
  /** Only reviews with text, pictures or video. */
  require_content: Clause<boolean>;
  threshold_seconds: Clause<number>;
}

export type RatioMetricRule =
  | RoundResponseMetric
  | EvaluationRateMetric
  | BuyerDailyMetric
  | SessionResponseMetric
  | ReviewReplyMetric;
export type MetricRule = RatioMetricRule | OnlineHoursMetric;

export interface Interpretation {
  id: string;
  text: string;
  source: string;
}

export interface PackVersion {
  version: string;
  effective: string;
  effective_note?: string;
  source: string;
  exclude: {
    recalled: Clause<boolean>;
    types: Clause<MessageType>[];
    senders: Clause<Sender>[];
    flags: Clause<Flag>[];
    /** Conversations whose buyer is an account of the shop itself. */
    internal_chatter: Clause<boolean>;
    /** Conversations whose buyer is flagged `merchant` on any row. */
    merchant_conversations: Clause<boolean>;
  };
  /** Buyer message types that ask for a reply (open or join a round). */
  questions: Clause<MessageType[]>;
  replies: {
    /** Agent message types that are valid replies. */
    agent_types: Clause<MessageType[]>;
    /** Whether a bot message with bot_mode=assist is a valid reply. */
    bot_assist: Clause<boolean>;
  };
  rounds: {
    /** An `assign` event re-starts a waiting round at the assign time (offline pool, bot hand-over). */
    assign_restarts: Clause<boolean>;
  };
  session_gap_minutes: Clause<number>;
  metrics: MetricRule[];
  interpretations: Interpretation[];
}

export interface SourceRef {
  title: string;
  url?: string;
  file?: string;
  published?: string;
  note?: string;
}

/** A penalty a platform attaches to a conduct finding (RULES.md §8), once per finding. */
export interface ConductPenalty {
  detector: string;
  /** Per buyer, findings of this detector from the n-th on are punished (多次); default 1. */
  from_occurrence?: number;
  consequence: Consequence;
}

/** What agents write (RULES.md §8): detector settings and penalties. */
export interface ConductRules {
  /** Domains (and their subdomains) of the platform's own links. */
  allowed_domains: Clause<string[]>;
  /** Shop-initiated messages in this part of the day are late-night contact (may wrap midnight). */
  night: DailyWindow;
  /** Shop messages in a row without a buyer's answer that make harassment. */
  unanswered_messages: Clause<number>;
  /** Words added to the built-in lexicon (platforms/conduct/lexicon.json). */
  lexicon?: { abusive?: string[]; threats?: string[]; impatience?: string[]; allowed?: string[] };
  penalties: ConductPenalty[];
}

export interface Pack {
  id: string;
  name: { zh: string; en: string };
  timezone: Clause<string>;
  doc?: string;
  sources: Record<string, SourceRef>;
  versions: PackVersion[];
  conduct?: ConductRules;
}
