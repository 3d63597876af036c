import { readFileSync } from 'node:fs';

/**
 * Conduct detectors (RULES.md §8): what an agent's or bot's message says that a platform
 * punishes. Each finds the matched text in one message; the stateful ones (harassment) live in
 * conduct-checker.ts. Detections are evidence, not verdicts: the report quotes the message.
 */

export interface DetectorInfo {
  id: string;
  description: string;
  /** The rule texts it serves. */
  clauses: string[];
  /** Platforms whose rules punish it (a pack's conduct.penalties say how). */
  platforms: string[];
}

/** The detectors, as data (platforms/conduct/detectors.json): the engine names no platform. */
export const DETECTORS: readonly DetectorInfo[] = (
  JSON.parse(readFileSync(new URL('../../platforms/conduct/detectors.json', import.meta.url), 'utf8')) as { detectors: DetectorInfo[] }
).detectors;

export const DETECTOR_IDS = new Set(DETECTORS.map((d) => d.id));

export interface Lexicon {
  abusive: string[];
  threats: string[];
  impatience: string[];
  allowed: string[];
  credential_words: string[];
  credential_requests: string[];
  negations: string[];
}

let builtIn: Lexicon | null = null;

/**
 * platforms/conduct/lexicon.json, read once and frozen: every shop's checker shares its lists, and
 * so the index built per list (firstUnits: 64 KB each; a run of 3 000 small shops held 800 MB of
 * them when each shop read its own copy).
 */
export function builtInLexicon(): Lexicon {
  if (builtIn === null) {
    const read = JSON.parse(readFileSync(new URL('../../platforms/conduct/lexicon.json', import.meta.url), 'utf8')) as Lexicon;
    for (const list of Object.values(read)) Object.freeze(list);
    builtIn = Object.freeze(read);
  }
  return builtIn;
}

/** What the text detectors need from the rule pack. */
export interface TextRules {
  allowedDomains: readonly string[];
  lexicon: Lexicon;
}

export interface Match {
  detector: string;
  matched: string;
}

const ORDER_CONTEXT = /(订单|单号|运单|快递|物流|编号|工单|货号|条码|型号|尾号|批次|批号)[号码:：\s#]*$/;
const BANK_CONTEXT = /银行|卡号|储蓄卡|借记卡|信用卡|开户|户名|转账|汇款|打款|收款|账号|工行|建行|农行|招行|中行|交行/;
const TLD = 'com|cn|net|org|top|xyz|cc|vip|shop|info|me|io|co|club|site|online|store|link|ltd|wang|tv|biz|hk|tw|app|live|fun|ink|pro|work|asia|mobi';
const LINK_URL = /https?:\/\/[^\s，。！？、；）)\]】"'<>]+/gi;
// Domains are written in lower case; a capitalized "iPhone15.Pro" is a model name, not a site.
const BARE_DOMAIN = new RegExp(`(?<![A-Za-z0-9@._-])((?:[A-Za-z0-9-]+\\.)+(?:${TLD}))(?![A-Za-z0-9-])(?:/[^\\s，。！？、；）)\\]】"'<>]*)?`, 'g');
const MOBILE = /(?<![0-9A-Za-z]-?)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?![0-9A-Za-z])/g;
const LANDLINE = /(?<![0-9A-Za-z])0\d{2,3}-\d{7,8}(?![0-9A-Za-z])/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const CARD = /(?<![0-9A-Za-z])\d(?:[ -]?\d){15,18}(?![0-9A-Za-z])/g;
const WECHAT_WORD = '(?:微信|薇信|威信|徽信|维信|V信|v信|VX|vx|Vx|vX|wx|WX|wechat|WeChat|weixin|Weixin)';
const WECHAT_ID = new RegExp(`(?<![A-Za-z])${WECHAT_WORD}\\s*(?:号码|号|ID|id)?\\s*[:：是为]?\\s*[A-Za-z][-_A-Za-z0-9]{5,19}`, 'g');
const QQ_ID = /(?<![A-Za-z])(?:QQ|qq|Qq|扣扣|企鹅号|Q号)\s*(?:号码|号|群)?\s*[:：是为]?\s*[1-9]\d{4,10}(?!\d)/g;
const ADD_CONTACT = /(?:加|添加|➕|\+)\s*(?:我的|我|个|一下|下)?\s*(?:(?:微信|薇信|威信|徽信|维信|V信|v信)|(?:VX|vx|Vx|wx|WX|QQ|qq|V|v|Q|q)(?![A-Za-z弹])|扣扣|企鹅|微(?![笑博商店小信])|薇)/g;
const PAYMENT = [
  // The shop's (or a person's) own account: "退回您的支付宝账户" is a refund notice, not one.
  /(?:转账|转钱|转款|打款|汇款|付款|打钱|付钱|转)\s*(?:到|给|至)?\s*(?:我|我们|本人|个人|店主|老板|私人)\s*(?:的)?\s*(?:支付宝|微信|银行卡|卡上|账户|账号)/g,
  /(?:支付宝|微信)\s*(?:转账|转|付)\s*(?:给我|我)/g,
  /(?:支付宝|alipay|Alipay)\s*(?:账号|账户|号码|号)\s*[:：是为]?\s*[A-Za-z0-9@._-]{5,}/g,
  /(?:私下|线下|场外)\s*(?:转账|交易|付款|打款|汇款|支付)/g,
  /收款码|付款码发|收钱码/g,
];
const PHONES = [MOBILE, LANDLINE];
const CONTACTS = [WECHAT_ID, QQ_ID, ADD_CONTACT];
const NO_PATTERNS: readonly RegExp[] = [];
const DIGIT_RUN = /\d[\d -]{5,}\d/;
const CONTACT_HINT = /[微薇威徽维VvWwQq扣企]/;
const PAYMENT_HINT = /[转支私线场收付打汇]|alipay/i;
const QR_HINT = /[码扫]|qr/i;
const QR = /二维码|扫码|扫一扫|扫描.{0,4}码|QR\s?码|qr\s?码|QR code/gi;
const QR_INNOCENT = /物流|快递|面单|包裹|说明书|防伪|保修|吊牌|溯源|商品码|条形码|真伪/;

const NO_MATCHES: readonly RegExpExecArray[] = Object.freeze([]);

/**
 * Every match of a global regex in the text, as `matchAll` finds them (none of the patterns
 * matches an empty string), without the copy of the regex and the iterator it makes.
 */
function matchesOf(re: RegExp, text: string): readonly RegExpExecArray[] {
  re.lastIndex = 0;
  let m = re.exec(text);
  if (m === null) return NO_MATCHES;
  const out: RegExpExecArray[] = [];
  for (; m !== null; m = re.exec(text)) out.push(m);
  re.lastIndex = 0;
  return out;
}

/** Words that contain a negation without negating anything (特别, 识别, 要不要, 不会的话). */
const NOT_NEGATIONS = ['特别', '区别', '识别', '告别', '分别', '级别', '类别', '性别', '个别', '差别', '辨别', '要不要', '会不会', '不会的话', '小心轻放'];

/**
 * Whether a negation ("请勿", "不要") stands just before position `at` (within 6 characters): a
 * warning, not a request. A negation inside a compound like 特别 or 要不要 is none.
 */
function negatedBefore(text: string, at: number, negations: readonly string[]): boolean {
  const from = Math.max(0, at - 6);
  const before = text.slice(from, at);
  return negations.some((n) => {
    for (let i = before.indexOf(n); i >= 0; i = before.indexOf(n, i + 1)) {
      const abs = from + i;
      const inCompound = NOT_NEGATIONS.some((c) => {
        const k = c.indexOf(n);
        return k >= 0 && text.startsWith(c, abs - k);
      });
      if (!inCompound) return true;
    }
    return false;
  });
}

/** Luhn check of a digit string. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A host is the platform's own when it is an allowed domain or below one. */
function allowedHost(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((d) => h === d || h.endsWith(`.${d}`));
}

/** Per word list: a mark for each UTF-16 unit one of its entries starts with, and its empty entries. */
const FIRST_UNITS = new WeakMap<readonly string[], { first: Uint8Array; empty: readonly string[] }>();

/**
 * The entries of `words` that may occur in the text, in list order: those whose first unit does
 * (an empty entry always may). Most shop messages hold no unit any entry starts with, and the
 * others one or two: one look at each unit spares an indexOf per entry (issue 8).
 */
function candidates(text: string, words: readonly string[]): readonly string[] {
  let units = FIRST_UNITS.get(words);
  if (units === undefined) {
    const first = new Uint8Array(0x10000);
    for (const w of words) if (w.length > 0) first[w.charCodeAt(0)] = 1;
    units = { first, empty: words.filter((w) => w.length === 0) };
    FIRST_UNITS.set(words, units);
  }
  const first = units.first;
  let found: number[] | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (first[c] === 1 && (found === null || !found.includes(c))) (found ??= []).push(c);
  }
  if (found === null) return units.empty;
  const present = found;
  return words.filter((w) => w.length === 0 || present.includes(w.charCodeAt(0)));
}

/** Lexicon entries found in the text, skipping those inside an allowed phrase (垃圾袋). */
function lexiconHits(text: string, words: readonly string[], allowed: readonly string[]): readonly string[] {
  const hits: string[] = [];
  for (const word of candidates(text, words)) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(word, from);
      if (at < 0) break;
      from = at + 1;
      // Latin entries (SB, TMD) only as words of their own: not inside USB.
      if (/^[A-Za-z]+$/.test(word) && (/[A-Za-z]/.test(text[at - 1] ?? '') || /[A-Za-z]/.test(text[at + word.length] ?? ''))) continue;
      const insideAllowed = allowed.some((phrase) => {
        const offset = phrase.indexOf(word);
        return offset >= 0 && text.startsWith(phrase, at - offset);
      });
      if (!insideAllowed) {
        hits.push(word);
        break;
      }
    }
  }
  // A longer entry covers a shorter one found at the same place (他妈的 / 妈的).
  if (hits.length < 2) return hits;
  return hits.filter((w) => !hits.some((o) => o !== w && o.includes(w)));
}

/** Every text detector over one shop message. */
export function detectText(raw: string, rules: TextRules): Match[] {
  // Full-width digits and letters (１３８, ｗｅｉｄｉａｎ．ｃｏｍ) read as their plain forms.
  const text = raw.normalize('NFKC');
  const out: Match[] = [];
  const add = (detector: string, matched: string): void => {
    // Quote the message as written when normalizing kept its length (full-width forms do).
    const at = text.indexOf(matched);
    const original = raw.length === text.length && at >= 0 ? raw.slice(at, at + matched.length) : matched;
    out.push({ detector, matched: original.trim() });
  };
  const { lexicon } = rules;

  // Links: URLs and bare domains; the platform's own are fine.
  // Cheap necessary conditions first: most messages have no dot, @, digit run or trigger word.
  const hasDot = text.includes('.');
  const hasDigits = DIGIT_RUN.test(text);
  const linkSpans: [number, number][] = [];
  for (const m of hasDot ? matchesOf(LINK_URL, text) : NO_MATCHES) {
    linkSpans.push([m.index, m.index + m[0].length]);
    let host = '';
    try {
      host = new URL(m[0]).hostname;
    } catch {
      host = m[0].replace(/^https?:\/\//i, '').split(/[/?#:]/)[0] ?? '';
    }
    if (!allowedHost(host, rules.allowedDomains)) add('off_platform_link', m[0]);
  }
  for (const m of hasDot ? matchesOf(BARE_DOMAIN, text) : NO_MATCHES) {
    if (linkSpans.some(([a, b]) => m.index >= a && m.index < b)) continue;
    // A site's name has letters: "1.cn" or "3.5.top" are numbers before a word.
    if (!/[A-Za-z]/.test(m[1]!.slice(0, m[1]!.lastIndexOf('.')))) continue;
    if (!allowedHost(m[1]!, rules.allowedDomains)) add('off_platform_link', m[0]);
  }

  const emails = text.includes('@') ? matchesOf(EMAIL, text) : NO_MATCHES;
  for (const m of emails) add('email_address', m[0]);
  const inEmail = (at: number): boolean => emails.some((e) => at >= e.index && at < e.index + e[0].length);

  for (const re of hasDigits ? PHONES : NO_PATTERNS) {
    for (const m of matchesOf(re, text)) {
      if (inEmail(m.index) || ORDER_CONTEXT.test(text.slice(Math.max(0, m.index - 10), m.index))) continue;
      add('phone_number', m[0]);
    }
  }

  for (const m of hasDigits ? matchesOf(CARD, text) : NO_MATCHES) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length < 16 || digits.length > 19 || !luhn(digits)) continue;
    if (ORDER_CONTEXT.test(text.slice(Math.max(0, m.index - 10), m.index))) continue;
    // Card numbers start 62 (UnionPay), 4, 5 or 3; an order number followed by 这个订单 is one.
    if (!/^(62|[345])/.test(digits)) continue;
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 8);
    if (/订单|单号|运单|快递|物流/.test(after)) continue;
    const grouped = /^\d{4}([ -])\d{4}\1\d{4}\1\d{4}/.test(m[0]);
    const near = text.slice(Math.max(0, m.index - 12), m.index + m[0].length + 12);
    if (grouped || BANK_CONTEXT.test(near)) add('bank_card', m[0]);
  }

  for (const re of CONTACT_HINT.test(text) ? CONTACTS : NO_PATTERNS) {
    for (const m of matchesOf(re, text)) if (!negatedBefore(text, m.index, lexicon.negations)) add('wechat_qq', m[0]);
  }
  for (const re of PAYMENT_HINT.test(text) ? PAYMENT : NO_PATTERNS) {
    for (const m of matchesOf(re, text)) if (!negatedBefore(text, m.index, lexicon.negations)) add('payment_account', m[0]);
  }
  for (const m of QR_HINT.test(text) ? matchesOf(QR, text) : NO_MATCHES) {
    const around = text.slice(Math.max(0, m.index - 8), m.index + m[0].length + 8);
    if (!QR_INNOCENT.test(around) && !negatedBefore(text, m.index, lexicon.negations)) add('qr_code', m[0]);
  }

  for (const w of lexiconHits(text, lexicon.abusive, lexicon.allowed)) add('abusive_language', w);
  for (const w of lexiconHits(text, lexicon.threats, lexicon.allowed)) add('threat', w);
  for (const w of lexiconHits(text, lexicon.impatience, lexicon.allowed)) add('impatience', w);

  // A request close to the word (验证码发给我, 把密码告诉我, 验证码是多少), not a help text that
  // happens to hold both somewhere (用验证码登录后，把截图发给我).
  for (const word of candidates(text, lexicon.credential_words)) {
    for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
      if (negatedBefore(text, at, lexicon.negations)) continue;
      const near = text.slice(Math.max(0, at - 8), at + word.length + 8);
      const offset = Math.max(0, at - 8);
      const request = lexicon.credential_requests
        .map((r) => ({ r, i: near.indexOf(r) }))
        .find(({ i }) => i >= 0 && !negatedBefore(text, offset + i, lexicon.negations));
      if (request === undefined) continue;
      const start = Math.min(at, offset + request.i);
      const end = Math.max(at + word.length, offset + request.i + request.r.length);
      add('credential_request', text.slice(start, end));
      break;
    }
  }
  return dedupe(out);
}

function dedupe(matches: Match[]): Match[] {
  if (matches.length < 2) return matches;
  const seen = new Set<string>();
  return matches.filter((m) => {
    const key = `${m.detector}\u0000${m.matched}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
