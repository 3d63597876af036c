import type { Message } from '../model.js';
import type { ShopDirectory } from '../ingest/read-chat.js';
import type { PackVersion } from '../rules/pack-types.js';

/** FORMAT.md sub-account chatter: the buyer is the shop, one of its `shop:` accounts, or an agent of it. */
export function isInternal(shop: string, buyer: string, directory: ShopDirectory): boolean {
  // `shop:` without making the string for every message.
  const sub = buyer.length > shop.length && buyer.charCodeAt(shop.length) === COLON && buyer.startsWith(shop);
  return buyer === shop || sub || directory.accounts.has(buyer);
}

const COLON = 0x3a;

/** An exclusion reason `kind:value` (a type, sender or flag: few), made once: reasons are counted per message. */
export function reason(kind: string, value: string): string {
  let byValue = REASONS.get(kind);
  if (byValue === undefined) REASONS.set(kind, (byValue = new Map()));
  let r = byValue.get(value);
  if (r === undefined) byValue.set(value, (r = `${kind}:${value}`));
  return r;
}

const REASONS = new Map<string, Map<string, string>>();

/**
 * Conversation-level exclusion (RULES.md §1 Conversation), or null when the pair is a customer
 * conversation under this version.
 */
export function conversationExclusion(
  shop: string,
  buyer: string,
  directory: ShopDirectory,
  version: PackVersion,
): string | null {
  if (version.exclude.internal_chatter.value && isInternal(shop, buyer, directory)) return 'internal_chatter';
  if (version.exclude.merchant_conversations.value && directory.merchantBuyers.has(buyer)) {
    return 'merchant_conversation';
  }
  return null;
}

/**
 * Message-level exclusion (RULES.md §1 Excluded messages): the reason a message neither opens
 * nor answers a round, or null. Events (`assign`, `blacklist`) are never dropped here.
 */
export function messageExclusion(m: Message, version: PackVersion): string | null {
  const ex = version.exclude;
  if (m.recalled && ex.recalled.value) return 'recalled';
  if (ex.types.some((c) => c.value === m.type)) return reason('type', m.type);
  if (ex.senders.some((c) => c.value === m.sender)) return reason('sender', m.sender);
  for (const flag of m.flags) if (ex.flags.some((c) => c.value === flag)) return reason('flag', flag);
  return null;
}

export function isEvent(m: Message): boolean {
  return m.type === 'assign' || m.type === 'blacklist';
}
