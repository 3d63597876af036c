// The JSON report (REPORT.md). Field names here are a contract: add, never rename or remove.
import type { ActivityDay } from '../engine/audit-shop.js';
import type { BadRow } from '../model.js';
import type { FileStats } from '../ingest/read-chat.js';
import type { AssessmentPeriod } from '../metrics/periods.js';
import type { Projection } from '../metrics/projections.js';
import type { Status } from '../metrics/tally.js';
import type { KeyFigure } from './summary.js';

export const REPORT_SCHEMA = 'cs-audit/report@1';

export interface Counts {
  eligible: number;
  passed: number;
  pending: number;
  rate: number | null;
}

export interface WindowEntry extends Counts {
  from: string;
  to: string;
  /** Days of the window the input covers. */
  days: number;
  /** Days the window covers when the input reaches back far enough. */
  nominal_days: number;
  /** The window reaches before the first day of the input, or over missing days: those days are unknown, not zero. */
  partial: boolean;
  /** Days of the window no export covered (history runs): their data is missing, not zero. */
  missing_days?: number;
}

export interface DayEntry extends Counts {
  date: string;
  /** No export covered this day (a gap in a history store): nothing is known of it, not zero. */
  missing?: boolean;
  status: Status;
  window: WindowEntry | null;
  /** Items not counted, by reason (RULES.md exclusions). */
  excluded: Record<string, number>;
  /** The rule version that judged this day. */
  version: string;
  /** Why the status is what it is, where the counts alone do not say (e.g. a penalty is running). */
  note?: string;
  /** The day's counts per account. */
  agents?: AgentEntry[];
}

export interface AgentEntry extends Counts {
  agent: string;
  /** The agent's own rate against the target (agents are not assessed by volume); null when nothing is eligible. */
  meets_target: boolean | null;
}

export interface TotalEntry extends Counts {
  status: Status;
  /** Items not counted over the period, by reason. */
  excluded: Record<string, number>;
}

/** An amount metric's window (unit hours): the average per day over the days the input covers. */
export interface AmountWindow {
  from: string;
  to: string;
  days: number;
  nominal_days: number;
  partial: boolean;
  missing_days?: number;
  value: number;
}

export interface AmountDayEntry {
  date: string;
  missing?: boolean;
  /** Hours on this day (4 decimals); null when no log covers the day. */
  value: number | null;
  status: Status;
  window: AmountWindow | null;
  version: string;
  note?: string;
}

/** Amount metrics (unit hours): a value per day and the average per day for the period. */
export interface AmountMetricReport {
  id: string;
  name: { zh: string; en: string };
  unit: 'hours';
  target: { op: string; value: number; assumed?: boolean };
  window_hours: { from: string; to: string };
  assessment: { period: AssessmentPeriod };
  days: AmountDayEntry[];
  agents: { agent: string; value: number }[];
  total: { value: number | null; status: Status };
  /** What the rest of the month must look like (monthly assessments). */
  projection?: Projection;
}

export type MetricReport = RatioMetricReport | AmountMetricReport;

export interface RatioMetricReport {
  id: string;
  name: { zh: string; en: string };
  unit: 'round' | 'buyer' | 'session' | 'evaluation' | 'review';
  target: { op: string; value: number; assumed?: boolean };
  threshold_seconds?: number;
  window_hours?: { from: string; to: string };
  /** What each day's status is judged on, and the volume below which it is not assessed. */
  assessment: { period: AssessmentPeriod; min_volume: number };
  days: DayEntry[];
  agents: AgentEntry[];
  total: TotalEntry;
  /** What the rest of the window or month must look like, as of the last reported day. */
  projection?: Projection;
}

/** A failed or pending item with the evidence to coach an agent or appeal a verdict (--details). */
export interface ItemDetail {
  metric: string;
  outcome: 'failed' | 'pending';
  /** The local date the item counts on. */
  date: string;
  buyer: string | null;
  agent: string;
  /** When the item started (local time), and the message that opened it. */
  start: string;
  text: string;
  reply_time: string | null;
  delay_seconds: number | null;
  /** The clause that decided it, with the numbers. */
  reason: string;
  /** Where the opening row is in the input. */
  origin: { file: string; line: number } | null;
  /** The item's messages (rounds), for an appeal pack. */
  messages?: { time: string; sender: string; agent: string | null; type: string; content: string }[];
}

/** A conduct detection (RULES.md §8): evidence, quoting the message. */
export interface Finding {
  detector: string;
  date: string;
  time: string;
  shop: string;
  agent: string;
  sender: string;
  buyer: string;
  message: string;
  /** The text that matched (or, for harassment, what the count was). */
  matched: string;
  /** This detector's n-th finding with this buyer (what "多次" penalties count). */
  occurrence: number;
  recalled: boolean;
  origin: { file: string; line: number } | null;
  /** The penalty the pack attaches to it, if any. */
  penalty?: { kind: Penalty['kind']; points: number; days?: number; amount_cny: number };
}

/** Findings counted per agent and per detector. */
export interface ConductSummary {
  detectors: { detector: string; description: string; findings: number; penalized: number }[];
  agents: { agent: string; findings: number; by_detector: Record<string, number> }[];
}

export interface Penalty {
  shop?: string;
  date: string;
  metric: string;
  /** For conduct penalties (metric "conduct"): the detector whose finding it punishes. */
  detector?: string;
  kind: 'fine' | 'points' | 'warning' | 'restriction';
  amount_cny: number;
  points: number;
  /** The points ledger, where a platform keeps several (Xiaohongshu: general, serious). */
  ledger?: string;
  days?: number;
  clause: string;
  reason: string;
}

export interface Totals {
  fines_cny: number;
  /** All points together; `points_by_ledger` splits them where the platform keeps ledgers apart. */
  points: number;
  points_by_ledger?: Record<string, number>;
  warnings: number;
  restrictions: number;
}

export interface ActivityEntry extends ActivityDay {
  date: string;
  missing?: boolean;
}

export interface MessageAccounting {
  used: number;
  events: number;
  evaluations: number;
  excluded: Record<string, number>;
}

export interface ShopReport {
  shop: string;
  metrics: MetricReport[];
  /** With --details: every failed and pending item, with its evidence. */
  details?: ItemDetail[];
  penalties: Penalty[];
  totals: Totals;
  activity: ActivityEntry[];
  messages: MessageAccounting;
  /** Each metric's headline figure (the portfolio summary's columns). */
  summary: KeyFigure[];
  /** Conduct findings of the reported days (absent with --no-conduct). */
  findings?: Finding[];
  conduct?: ConductSummary;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  generator: { name: 'cs-audit'; version: string };
  platform: string;
  /** The platform as shops know it. */
  platform_name?: { zh: string; en: string };
  rules: {
    platform: string;
    version: string;
    versions: { version: string; effective: string; days: number }[];
    file: string;
    /** A hash of the pack and the conduct lexicon: two reports judged by the same rules share it. */
    sha256?: string;
  };
  timezone: string;
  input_timezone: string;
  period: { from: string | null; to: string | null };
  input: {
    messages: number;
    bad_rows: number;
    duplicates: number;
    rows: number;
    data_end: string | null;
    errors: BadRow[];
    errors_listed: number;
    files: FileStats[];
  };
  metrics: MetricReport[];
  /** With --details and one shop: that shop's failed and pending items. */
  details?: ItemDetail[];
  /** With one shop: its conduct findings (each shop's are in `shops`). */
  findings?: Finding[];
  penalties: Penalty[];
  totals: Totals;
  shops: ShopReport[];
  /** With --history: the store, what this run recorded, and what each shop's history covers. */
  history?: HistoryReport;
}

export interface HistoryReport {
  file: string;
  /** This run's number in the store, and the days it fed. */
  run: number;
  covers: { from: string; to: string };
  runs: number;
  shops: { shop: string; covered: { from: string; to: string }[]; missing_days: string[]; data_end: string | null; fed_now: boolean }[];
  notices: string[];
}
