import { InputError } from '../errors.js';
import { normalizeHeader, readRecordBatches, type FilePart, type ReaderItem } from './records.js';
import type { InputSource } from './sources.js';

/**
 * Import profiles (PROFILES.md): each maps one real export format onto the canonical fields of
 * FORMAT.md. Detected from a file's header or keys, or forced with --input-format. Profiles know
 * export formats, never platforms' rules.
 */
export const PROFILE_NAMES = ['canonical', 'zh-csv', 'xiaoduo', 'qianniu-json', 'pdd-json', 'jd-chatlog'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export type LogKind = 'chat' | 'presence' | 'review';

export const REQUIRED: Record<LogKind, readonly string[]> = {
  chat: ['time', 'buyer', 'sender'],
  presence: ['time', 'agent', 'status'],
  review: ['time', 'review_id', 'rating'],
};

type Values = Record<string, unknown>;

interface Profile {
  name: ProfileName;
  /** Columns a delimited file of this profile must have (after header mapping); default: the log's. */
  columns?: readonly string[];
  /** How well header names or record keys fit (0: not this profile). */
  score(keys: readonly string[]): number;
  /** Header names → canonical names (names it does not know stay as they are). */
  header(names: string[]): string[];
  /** A record keyed by mapped names → canonical values, or why it cannot be read. */
  record(values: Values, file: FileState): Values | string;
}

/** What a profile learns of a whole file before its records are mapped (e.g. PDD recalls). */
interface FileState {
  recalledIds: Set<string>;
  /** The shop a whole file belongs to, where the format says it once (e.g. a qianniu page). */
  shop: string;
}

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

// ---- canonical --------------------------------------------------------------------------------

const canonical: Profile = {
  name: 'canonical',
  score: (keys) => (['time', 'buyer', 'sender'].every((k) => keys.includes(k)) ? 10 : 0),
  header: (names) => names,
  record: (values) => values,
};

// ---- zh-csv: Chinese headers and values -----------------------------------------------------------

const ZH_HEADERS: Record<string, string[]> = {
  time: ['时间', '发送时间', '消息时间', '聊天时间'],
  shop: ['店铺', '店铺名', '店铺名称', '卖家'],
  buyer: ['买家', '买家昵称', '顾客', '客户', '客户名', '客户id', '用户', '消费者'],
  sender: ['发送方', '发送者', '角色', '账号类型'],
  agent: ['客服', '客服昵称', '子账号', '接待客服', '发送账号'],
  type: ['消息类型'],
  content: ['内容', '消息内容', '发送内容', '聊天内容'],
  recalled: ['是否撤回', '撤回'],
};
const ZH_HEADER_TO_FIELD = new Map<string, string>();
for (const [field, names] of Object.entries(ZH_HEADERS)) for (const n of names) ZH_HEADER_TO_FIELD.set(n, field);

const ZH_SENDERS: Record<string, string> = {
  买家: 'buyer',
  顾客: 'buyer',
  客户: 'buyer',
  用户: 'buyer',
  消费者: 'buyer',
  客服: 'agent',
  卖家: 'agent',
  商家: 'agent',
  人工: 'agent',
  人工客服: 'agent',
  机器人: 'bot',
  智能客服: 'bot',
  自动回复: 'bot',
  系统: 'system',
  小二: 'platform',
  平台: 'platform',
};
const ZH_TYPES: Record<string, string> = {
  文本: 'text',
  文字: 'text',
  图片: 'image',
  链接: 'link',
  商品卡片: 'card',
  订单卡片: 'card',
  卡片: 'card',
  红包: 'red_packet',
  自动回复: 'auto_greeting',
  欢迎语: 'auto_greeting',
  系统消息: 'system',
  评价: 'evaluation',
};

/** Chinese role and type values → canonical ones (English values pass through). */
function translateZhValues(values: Values): Values {
  const out = { ...values };
  const sender = str(values.sender).trim();
  if (ZH_SENDERS[sender]) out.sender = ZH_SENDERS[sender];
  const type = str(values.type).trim();
  if (ZH_TYPES[type]) out.type = ZH_TYPES[type];
  return out;
}

const zhCsv: Profile = {
  name: 'zh-csv',
  // Chinese aliases, possibly beside canonical names (e.g. one column named with --map).
  score: (keys) => {
    const aliases = keys.filter((k) => ZH_HEADER_TO_FIELD.has(k));
    const fields = new Set([...aliases.map((k) => ZH_HEADER_TO_FIELD.get(k)!), ...keys]);
    return aliases.length > 0 && ['time', 'buyer', 'sender'].every((f) => fields.has(f)) ? 5 + aliases.length : 0;
  },
  header: (names) => names.map((n) => ZH_HEADER_TO_FIELD.get(n) ?? n),
  record: translateZhValues,
};

// ---- 晓多 xiaoduo message table -------------------------------------------------------------------

const ZERO_DATE = /^1970-01-01([ T]|$)/;
const TRUE = new Set(['true', '1', 'yes']);

function xiaoduoType(contentType: string): string {
  const t = contentType.trim().toLowerCase();
  if (t === '' || t === 'text' || t === 'txt') return 'text';
  if (t.includes('image') || t.includes('pic') || t.includes('img')) return 'image';
  if (t.includes('link') || t.includes('url')) return 'link';
  if (t.includes('card') || t.includes('goods') || t.includes('item') || t.includes('order')) return 'card';
  return 'text';
}

const xiaoduo: Profile = {
  name: 'xiaoduo',
  columns: ['cnick', 'source'],
  score: (keys) => (['cnick', 'snick', 'source'].every((k) => keys.includes(k)) ? 20 : 0),
  header: (names) => names,
  record: (v) => {
    const source = str(v.source).trim();
    if (source !== '0' && source !== '1') return `unreadable source "${source}" (xiaoduo: 1 = shop sent, 0 = buyer sent)`;
    const agent = str(v.snick).trim().replace(/^cntaobao/, '');
    const ms = str(v.ms_msg_time).trim();
    // `time` is stored in UTC; the epoch milliseconds, when present, are exact.
    const rawTime = str(v.time).trim();
    const hasZone = /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(rawTime);
    const time = /^\d{13}$/.test(ms) ? ms : rawTime === '' || hasZone ? rawTime : `${rawTime.replace(' ', 'T')}Z`;
    // ClickHouse writes a zero date (in any zone) or a null when a message was not recalled.
    const withdraw = str(v.withdraw_ms_time).trim();
    const recalled = !(withdraw === '' || withdraw === '0' || /^\\N$|^null$/i.test(withdraw) || ZERO_DATE.test(withdraw));
    const autoSend = TRUE.has(str(v.auto_send).trim().toLowerCase());
    const transfer = TRUE.has(str(v.is_transfer).trim().toLowerCase());
    return {
      time,
      shop: str(v.seller_nick).trim() || (agent.includes(':') ? agent.slice(0, agent.indexOf(':')) : ''),
      buyer: str(v.cnick).trim(),
      sender: source === '0' ? 'buyer' : transfer ? 'system' : autoSend ? 'bot' : 'agent',
      agent,
      type: transfer ? 'system' : xiaoduoType(str(v.content_type)),
      content: v.content,
      recalled: recalled ? '1' : '0',
      bot_mode: autoSend && source === '1' ? 'auto' : '',
      id: str(v._id).trim() || str(v.id).trim(),
    };
  },
};

// ---- 千牛 chat-history page export (one JSON file per buyer) --------------------------------------

const qianniu: Profile = {
  name: 'qianniu-json',
  columns: ['date', 'time', 'sender'],
  score: (keys) => (['date', 'time', 'sender'].every((k) => keys.includes(k)) && keys.includes('$context.user') ? 20 : 0),
  header: (names) => names,
  record: (v, file) => {
    const context = (v.$context ?? {}) as Values;
    const user = str(context.user).trim();
    if (user === '') return 'qianniu export without "user" (the buyer)';
    const sender = str(v.sender).trim();
    const text = str(v.text);
    const image = str(v.imgUrl).trim();
    const isBuyer = sender === user;
    return {
      time: `${str(v.date).trim()} ${str(v.time).trim()}`,
      shop: file.shop,
      buyer: user,
      sender: isBuyer ? 'buyer' : 'agent',
      agent: isBuyer ? '' : sender,
      type: text.trim() === '' && image !== '' ? 'image' : 'text',
      content: text.trim() === '' && image !== '' ? image : text,
    };
  },
};

// ---- Pinduoduo chat push messages --------------------------------------------------------------

const PDD_TYPES: Record<string, string> = { '0': 'text', '1': 'image', '5': 'text', '14': 'image', '24': 'system', '64': 'card', '1002': 'system' };

function pddMessage(v: Values): Values | null {
  const m = v.message;
  return m !== null && typeof m === 'object' ? (m as Values) : null;
}

/**
 * The message a recall notice names: its content is the recalled msg_id, or JSON holding one, or
 * text holding one of the file's message ids.
 */
function recalledIdOf(content: unknown, known: ReadonlySet<string>): string | null {
  const text = str(content).trim();
  if (known.has(text)) return text;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === 'object' && 'msg_id' in parsed) return str((parsed as Values).msg_id);
  } catch {
    // not JSON
  }
  for (const digits of text.match(/\d+/g) ?? []) if (known.has(digits)) return digits;
  return null;
}

const pdd: Profile = {
  name: 'pdd-json',
  columns: ['message'],
  score: (keys) => (keys.includes('message') && (keys.includes('response') || keys.includes('message.from')) ? 20 : 0),
  header: (names) => names,
  record: (v, file) => {
    const m = pddMessage(v);
    if (m === null) return 'pdd push without "message"';
    const from = (m.from ?? {}) as Values;
    const to = (m.to ?? {}) as Values;
    const fromRole = str(from.role);
    const type = str(m.type).trim();
    const mapped = PDD_TYPES[type];
    if (mapped === undefined) return `unknown pdd message type "${type}"`;
    const isBuyer = fromRole === 'user';
    if (!isBuyer && fromRole !== 'mall_cs') return `unknown pdd role "${fromRole}" (expected user or mall_cs)`;
    const buyer = isBuyer ? str(from.uid) : str(to.uid);
    const id = str(m.msg_id).trim();
    return {
      time: str(m.ts).trim(),
      shop: str(isBuyer ? (to.mall_id ?? to.uid) : (from.mall_id ?? '')).trim(),
      buyer,
      sender: isBuyer ? 'buyer' : 'agent',
      agent: isBuyer ? '' : str(from.uid).trim(),
      type: mapped,
      content: m.content,
      recalled: id !== '' && file.recalledIds.has(id) ? '1' : '0',
      id,
    };
  },
};

// ---- JD 咚咚 chat log API -----------------------------------------------------------------------

const jd: Profile = {
  name: 'jd-chatlog',
  columns: ['customer', 'waiter'],
  score: (keys) => (['customer', 'waiter', 'waitersend'].every((k) => keys.includes(k)) || ['customer', 'waiter', 'waiterSend'].every((k) => keys.includes(k)) ? 20 : 0),
  header: (names) => names,
  record: (v) => {
    const shopSent = TRUE.has(str(v.waiterSend ?? v.waitersend).trim().toLowerCase());
    const waiter = str(v.waiter).trim();
    return {
      time: str(v.time).trim(),
      shop: waiter.includes(':') ? waiter.slice(0, waiter.indexOf(':')) : '',
      buyer: str(v.customer).trim(),
      sender: shopSent ? 'agent' : 'buyer',
      agent: waiter,
      content: v.content,
      id: str(v.id ?? v.msgId ?? v.msgid).trim(),
    };
  },
};

const PROFILES: Record<ProfileName, Profile> = {
  canonical,
  'zh-csv': zhCsv,
  xiaoduo,
  'qianniu-json': qianniu,
  'pdd-json': pdd,
  'jd-chatlog': jd,
};

export function parseProfileName(value: string): ProfileName {
  if ((PROFILE_NAMES as readonly string[]).includes(value)) return value as ProfileName;
  throw new InputError(`--input-format "${value}" is not known (use one of: ${PROFILE_NAMES.join(', ')})`);
}

/** `--map time=发送时间,buyer=顾客`: canonical field = the file's header name. */
export function parseHeaderMap(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw new InputError(`--map "${part}" is not field=header (e.g. --map time=发送时间,buyer=顾客)`);
    out.set(normalizeHeader(part.slice(eq + 1)), part.slice(0, eq).trim());
  }
  return out;
}

/** What was understood of one input (for `inspect` and the report's files). */
export interface SourceInfo {
  profile: ProfileName | null;
  layout: string;
  /** Header or key → canonical field, where they differ. */
  mapping: Record<string, string>;
}

export interface ProfileOptions {
  /** Forced profile (--input-format); detected per file otherwise. */
  profile: ProfileName | null;
  /** --map: the file's header name → canonical field. */
  map: Map<string, string> | null;
}

function detect(keys: readonly string[], log: LogKind, options: ProfileOptions): Profile {
  if (log !== 'chat') return canonical;
  if (options.profile !== null) return PROFILES[options.profile];
  let best: Profile = canonical;
  let bestScore = 0;
  for (const p of Object.values(PROFILES)) {
    const s = p.score(keys);
    if (s > bestScore) [best, bestScore] = [p, s];
  }
  return best;
}

/** The keys a JSON record offers for detection, with nested message keys and context keys. */
function jsonKeys(values: Values): string[] {
  const keys = Object.keys(values).filter((k) => k !== '$context');
  const m = values.message;
  if (m !== null && typeof m === 'object') for (const k of Object.keys(m)) keys.push(`message.${k}`);
  const c = values.$context;
  if (c !== null && typeof c === 'object') for (const k of Object.keys(c)) keys.push(`$context.${k}`);
  return keys;
}

/** One input's records in canonical fields, one by one (see canonicalRecordBatches). */
export async function* canonicalRecords(
  source: InputSource,
  log: LogKind,
  options: ProfileOptions,
  info?: SourceInfo,
): AsyncGenerator<ReaderItem> {
  for await (const batch of canonicalRecordBatches(source, log, options, info)) yield* batch;
}

/**
 * One input's records in canonical fields, a batch at a time: the profile chosen (forced, or
 * detected from the header or the first record's keys), then --map applied, then each record
 * mapped.
 */
export async function* canonicalRecordBatches(
  source: InputSource,
  log: LogKind,
  options: ProfileOptions,
  info?: SourceInfo,
  /** Only this part of a delimited file (see FilePart). */
  part: FilePart | null = null,
): AsyncGenerator<ReaderItem[]> {
  const required = REQUIRED[log];
  let profile: Profile | null = null;
  const userMap = (names: string[]) => names.map((n) => options.map?.get(n) ?? n);
  const shape = {
    get required(): readonly string[] {
      return (profile as Profile | null)?.columns ?? required;
    },
    map: (names: string[]) => {
      const renamed = userMap(names);
      profile = detect(renamed, log, options);
      const mapped = profile.header(renamed);
      if (info) {
        info.profile = profile.name;
        info.mapping = Object.fromEntries(names.map((n, i) => [n, mapped[i]!]).filter(([a, b]) => a !== b));
      }
      return mapped;
    },
  };
  const state: FileState = { recalledIds: new Set(), shop: '' };
  const items: ReaderItem[] = [];
  let json = false;
  for await (const batch of readRecordBatches(source, shape, part)) {
    // A delimited file's profile was chosen at its header; JSON records wait (see below).
    if (!json && profile !== null) {
      const chosen: Profile = profile;
      // The canonical profile maps nothing: its records pass as they are.
      yield chosen === canonical && options.map === null ? batch : batch.map((item) => mapItem(item, chosen, state, options, false));
      continue;
    }
    json = true;
    for (const item of batch) items.push(item);
  }
  if (items.length === 0) return;
  if (profile === null) {
    // JSON has no header: the best fit among the first records decides (keys renamed by --map),
    // so a capture that opens with a handshake (e.g. {"response": "auth"}) is still recognized.
    let best = 0;
    for (const item of items.slice(0, 50)) {
      if ('unreadable' in item) continue;
      const keys = jsonKeys(item.values).map((k) => options.map?.get(normalizeHeader(k)) ?? k);
      const p = detect(keys, log, options);
      const score = p.score(keys);
      if (profile === null || score > best) [profile, best] = [p, score];
    }
    if (info && profile !== null) info.profile = (profile as Profile).name;
  }
  // JSON is in memory: learn what the whole file says first (recall notices), then map.
  const chosen = (profile ?? canonical) as Profile;
  if (chosen.name === 'pdd-json') {
    const known = new Set<string>();
    const notices: Values[] = [];
    for (const item of items) {
      if ('unreadable' in item) continue;
      const m = pddMessage(item.values);
      if (!m) continue;
      known.add(str(m.msg_id).trim());
      if (str(m.type).trim() === '1002') notices.push(m);
    }
    for (const m of notices) {
      const info = (m.info ?? {}) as Values;
      const named = str(info.msg_id ?? info.recall_msg_id ?? '').trim();
      const id = named !== '' ? named : recalledIdOf(m.content, known);
      if (id !== null && id !== str(m.msg_id).trim()) state.recalledIds.add(id);
    }
  }
  if (chosen.name === 'qianniu-json') {
    // One page is one buyer with one shop: the shop side writes as 店铺:子账号 or as the main account.
    for (const item of items) {
      if ('unreadable' in item) continue;
      const user = str(((item.values.$context ?? {}) as Values).user).trim();
      const sender = str(item.values.sender).trim();
      if (sender === '' || sender === user) continue;
      state.shop = sender.includes(':') ? sender.slice(0, sender.indexOf(':')) : sender;
      if (sender.includes(':')) break;
    }
  }
  const mapped = items.map((item) => mapItem(item, chosen, state, options, true));
  const keys = new Set<string>();
  for (const m of mapped) if ('values' in m) for (const [k, v] of Object.entries(m.values)) if (str(v) !== '') keys.add(k);
  const missing = required.filter((c) => !keys.has(c));
  if (mapped.some((m) => 'values' in m) && missing.length > 0) {
    throw new InputError(
      `${source.name}: no record has a ${missing.map((c) => `"${c}"`).join(', ')} field (required: ${required.join(', ')}; ` +
        `read as ${chosen.name}; --input-format or --map can say how to read it)`,
    );
  }
  yield mapped;
}

function mapItem(item: ReaderItem, profile: Profile, state: FileState, options: ProfileOptions, json: boolean): ReaderItem {
  if ('unreadable' in item) return item;
  let values = item.values;
  if (json) {
    // A delimited file's header is mapped once; a JSON record's keys are mapped here.
    const renamed: Values = {};
    for (const [k, v] of Object.entries(values)) {
      const user = options.map?.get(normalizeHeader(k)) ?? k;
      renamed[profile.header([user])[0]!] = v;
    }
    values = renamed;
  }
  if (options.map !== null && profile.name === 'canonical') values = translateZhValues(values);
  const result = profile.record(values, state);
  return typeof result === 'string' ? { line: item.line, unreadable: result } : { line: item.line, values: result };
}
