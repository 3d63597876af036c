// The canonical model every reader produces (FORMAT.md). Times are epoch milliseconds.

export const SENDERS = ['buyer', 'agent', 'bot', 'system', 'platform'] as const;
export type Sender = (typeof SENDERS)[number];

export const MESSAGE_TYPES = [
  'text',
  'image',
  'link',
  'card',
  'red_packet',
  'auto_greeting',
  'faq_click',
  'ticket',
  'evaluation',
  'assign',
  'blacklist',
  'system',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const FLAGS = ['ad_account', 'abusive', 'cheating', 'merchant', 'disabled_account'] as const;
export type Flag = (typeof FLAGS)[number];

export const EVALUATION_LEVELS = [
  'very_satisfied',
  'satisfied',
  'neutral',
  'dissatisfied',
  'very_dissatisfied',
] as const;
export type EvaluationLevel = (typeof EVALUATION_LEVELS)[number];

export type BotMode = 'assist' | 'auto';

/** Where a row came from, for error messages and evidence. */
export interface Origin {
  file: string;
  line: number;
}

export interface Message {
  t: number;
  /** Global read order: ties in `t` keep it (file order, then line). */
  seq: number;
  /** Empty string until the shop default is resolved (FORMAT.md "shop"). */
  shop: string;
  buyer: string;
  sender: Sender;
  agent: string | null;
  type: MessageType;
  content: string;
  recalled: boolean;
  botMode: BotMode | null;
  flags: readonly Flag[];
  id: string | null;
  card: string | null;
  /** Parsed evaluation level, for `evaluation` rows. */
  level: EvaluationLevel | null;
  origin: Origin;
}

export interface BadRow {
  file: string;
  line: number;
  reason: string;
}

export const UNASSIGNED = '(unassigned)';
export const DEFAULT_SHOP = '(shop)';
