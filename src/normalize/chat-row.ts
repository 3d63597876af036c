import {
  EVALUATION_LEVELS,
  FLAGS,
  MESSAGE_TYPES,
  SENDERS,
  type BotMode,
  type EvaluationLevel,
  type Flag,
  type Message,
  type MessageType,
  type Origin,
  type Sender,
} from '../model.js';
import { parseTime } from '../time/parse-time.js';
import type { Zone } from '../time/zone.js';

export const CHAT_REQUIRED_COLUMNS = ['time', 'buyer', 'sender'] as const;

const LEVEL_ALIASES: Record<string, EvaluationLevel> = {
  very_satisfied: 'very_satisfied',
  很满意: 'very_satisfied',
  非常满意: 'very_satisfied',
  satisfied: 'satisfied',
  满意: 'satisfied',
  neutral: 'neutral',
  一般: 'neutral',
  dissatisfied: 'dissatisfied',
  不满意: 'dissatisfied',
  very_dissatisfied: 'very_dissatisfied',
  很不满意: 'very_dissatisfied',
  非常不满意: 'very_dissatisfied',
};

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'y', '是']);
const FALSE_VALUES = new Set(['', '0', 'false', 'no', 'n', '否']);

/** A raw value as text: JSON numbers and booleans become their text, null/undefined empty. */
export function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(text).join(';');
  return JSON.stringify(value);
}

function oneOf<T extends string>(allowed: readonly T[], value: string): T | null {
  return (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

/**
 * One string per account and shop name: a large log names a few hundred accounts millions of
 * times, and conversations at rest keep their last account (issue 8). Bounded, in case a column
 * holds something else.
 */
const NAMES = new Map<string, string>();

export function internName(name: string): string {
  const known = NAMES.get(name);
  if (known !== undefined) return known;
  if (NAMES.size < 100_000) NAMES.set(name, name);
  return name;
}

/** The flags of every message without any (shared: a message's flags are never changed). */
export const NO_FLAGS: readonly Flag[] = Object.freeze([]);

const SENDER_SET: ReadonlySet<string> = new Set(SENDERS);
const TYPE_SET: ReadonlySet<string> = new Set(MESSAGE_TYPES);

/** A value as written when it is already canonical (the common case), else trimmed and lower-cased. */
function canonicalWord(raw: string, canonical: ReadonlySet<string>): string {
  return canonical.has(raw) ? raw : raw.trim().toLowerCase();
}

/**
 * One chat-log record → a canonical message, or the reason it cannot be read.
 * `seq` orders ties (file order, then line).
 */
export function normalizeChatRow(
  values: Record<string, unknown>,
  origin: Origin,
  seq: number,
  zone: Zone,
): Message | string {
  const time = parseTime(text(values.time), zone);
  if (typeof time === 'string') return time;

  const buyer = text(values.buyer).trim();
  if (buyer === '') return 'missing buyer';

  const senderRaw = canonicalWord(text(values.sender), SENDER_SET);
  if (senderRaw === '') return 'missing sender';
  const sender = oneOf<Sender>(SENDERS, senderRaw);
  if (!sender) return `unknown sender "${text(values.sender)}" (expected one of: ${SENDERS.join(', ')})`;

  const typeRaw = canonicalWord(text(values.type), TYPE_SET);
  const type = typeRaw === '' ? 'text' : oneOf<MessageType>(MESSAGE_TYPES, typeRaw);
  if (!type) return `unknown type "${text(values.type)}" (expected one of: ${MESSAGE_TYPES.join(', ')})`;

  const recalledText = text(values.recalled);
  const recalledRaw = recalledText === '' ? '' : recalledText.trim().toLowerCase();
  let recalled: boolean;
  if (TRUE_VALUES.has(recalledRaw)) recalled = true;
  else if (FALSE_VALUES.has(recalledRaw)) recalled = false;
  else return `unreadable recalled "${text(values.recalled)}" (expected 1/0, true/false, 是/否)`;

  let botMode: BotMode | null = null;
  const botModeRaw = text(values.bot_mode).trim().toLowerCase();
  if (sender === 'bot') {
    if (botModeRaw === '' || botModeRaw === 'auto') botMode = 'auto';
    else if (botModeRaw === 'assist') botMode = 'assist';
    else return `unknown bot_mode "${text(values.bot_mode)}" (expected assist or auto)`;
  }

  const flagsText = text(values.flags);
  const flags: Flag[] = flagsText === '' ? (NO_FLAGS as Flag[]) : [];
  for (const part of flagsText === '' ? [] : flagsText.split(';')) {
    const flag = part.trim().toLowerCase();
    if (flag === '') continue;
    const known = oneOf<Flag>(FLAGS, flag);
    if (!known) return `unknown flag "${part.trim()}" (expected: ${FLAGS.join(', ')})`;
    if (!flags.includes(known)) flags.push(known);
  }

  const agent = internName(text(values.agent).trim()) || null;
  const content = text(values.content);
  const id = text(values.id).trim() || null;
  const card = text(values.card).trim() || null;

  let level: EvaluationLevel | null = null;
  if (type === 'evaluation') {
    if (card === null) return 'evaluation without card';
    level = LEVEL_ALIASES[content.trim().toLowerCase()] ?? null;
    if (level === null) {
      return `unknown evaluation level "${content}" (expected one of: ${EVALUATION_LEVELS.join(', ')} or 很满意/满意/一般/不满意/很不满意)`;
    }
  }
  if (type === 'assign' && agent === null) return 'assign event without agent (the account it hands the buyer to)';

  return {
    t: time,
    seq,
    shop: internName(text(values.shop).trim()),
    buyer,
    sender,
    agent,
    type,
    content,
    recalled,
    botMode,
    flags,
    id,
    card,
    level,
    origin,
  };
}
