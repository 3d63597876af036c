import type { Origin } from '../model.js';
import { parseTime } from '../time/parse-time.js';
import type { Zone } from '../time/zone.js';
import { text } from './chat-row.js';

export const REVIEW_REQUIRED_COLUMNS = ['time', 'review_id', 'rating'] as const;

/** FORMAT.md review log: one product review, with the shop's written reply time if any. */
export interface Review {
  t: number;
  seq: number;
  shop: string;
  id: string;
  rating: number;
  hasContent: boolean;
  content: string;
  replyT: number | null;
  agent: string | null;
  origin: Origin;
}

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'y', '是']);
const FALSE_VALUES = new Set(['0', 'false', 'no', 'n', '否']);

export function normalizeReviewRow(values: Record<string, unknown>, origin: Origin, seq: number, zone: Zone): Review | string {
  const t = parseTime(text(values.time), zone);
  if (typeof t === 'string') return t;
  const id = text(values.review_id).trim();
  if (id === '') return 'missing review_id';
  const ratingText = text(values.rating).trim();
  const rating = Number(ratingText);
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) return `unreadable rating "${ratingText}" (expected 1-5 stars)`;
  const content = text(values.content);
  const flag = text(values.has_content).trim().toLowerCase();
  let hasContent: boolean;
  if (flag === '') hasContent = content.trim() !== '';
  else if (TRUE_VALUES.has(flag)) hasContent = true;
  else if (FALSE_VALUES.has(flag)) hasContent = false;
  else return `unreadable has_content "${flag}" (expected 1/0)`;
  const replyText = text(values.reply_time).trim();
  let replyT: number | null = null;
  if (replyText !== '') {
    const r = parseTime(replyText, zone);
    if (typeof r === 'string') return `reply_time: ${r}`;
    replyT = r;
  }
  const agent = text(values.agent).trim() || null;
  return { t, seq, shop: text(values.shop).trim(), id, rating, hasContent, content, replyT, agent, origin };
}

/** A review is one per (shop, review id): rows repeating it (overlapping exports) are the same review. */
export function reviewKey(shop: string, id: string): string {
  return `${shop}\u0000${id}`;
}

/**
 * Two rows of one review: the reply time is the earliest either gives, with its account (a reply,
 * once written, exists; an export taken before it shows none). Returns whether `into` changed.
 */
export function takeEarlierReply(into: { replyT: number | null; agent: string | null }, from: { replyT: number | null; agent: string | null }): boolean {
  if (from.replyT === null || (into.replyT !== null && from.replyT >= into.replyT)) return false;
  into.replyT = from.replyT;
  into.agent = from.agent ?? into.agent;
  return true;
}
