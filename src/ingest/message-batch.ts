import { EVALUATION_LEVELS, MESSAGE_TYPES, SENDERS, type BotMode, type EvaluationLevel, type Flag, type Message } from '../model.js';
import { internName, NO_FLAGS } from '../normalize/chat-row.js';
import type { BlockCodec } from './external-sort.js';

/**
 * A batch of messages as a worker thread hands it over (read-worker.ts): a column per field,
 * text as indexes into the batch's distinct strings. Copying between threads costs about 0.4 µs
 * a message this way, against 1.3 µs for message objects; times, codes and indexes move without
 * a copy, and a text repeated in the batch (a shop, an account, a buyer, a quick reply) is copied
 * once and arrives as one string.
 */
export interface PackedMessages {
  t: Float64Array;
  seq: Float64Array;
  line: Int32Array;
  /** Per message: sender, type, bot mode + 1 (0: none), level + 1 (0: none), recalled. */
  codes: Uint8Array;
  /** The batch's distinct strings. */
  strings: string[];
  /** Per message and text field (TEXT_FIELDS), the index of its string; -1: null. */
  texts: Int32Array;
  /** [index, flags] of the messages that have flags. */
  flags: [number, readonly Flag[]][];
}

const CODES = 5;
const BOT_MODES: readonly BotMode[] = ['auto', 'assist'];
/** shop, buyer, agent, content, id, card */
const TEXTS = 6;

export function packMessages(ms: readonly Message[]): PackedMessages {
  const n = ms.length;
  const p: PackedMessages = {
    t: new Float64Array(n),
    seq: new Float64Array(n),
    line: new Int32Array(n),
    codes: new Uint8Array(n * CODES),
    strings: [],
    texts: new Int32Array(n * TEXTS),
    flags: [],
  };
  const index = new Map<string, number>();
  const put = (s: string | null): number => {
    if (s === null) return -1;
    let i = index.get(s);
    if (i === undefined) {
      i = p.strings.length;
      p.strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  for (let i = 0; i < n; i++) {
    const m = ms[i]!;
    p.t[i] = m.t;
    p.seq[i] = m.seq;
    p.line[i] = m.origin.line;
    const c = i * CODES;
    p.codes[c] = SENDERS.indexOf(m.sender);
    p.codes[c + 1] = MESSAGE_TYPES.indexOf(m.type);
    p.codes[c + 2] = m.botMode === null ? 0 : BOT_MODES.indexOf(m.botMode) + 1;
    p.codes[c + 3] = m.level === null ? 0 : EVALUATION_LEVELS.indexOf(m.level) + 1;
    p.codes[c + 4] = m.recalled ? 1 : 0;
    const x = i * TEXTS;
    p.texts[x] = put(m.shop);
    p.texts[x + 1] = put(m.buyer);
    p.texts[x + 2] = put(m.agent);
    p.texts[x + 3] = put(m.content);
    // Ids are unique: a look-up would find nothing.
    if (m.id === null) p.texts[x + 4] = -1;
    else {
      p.texts[x + 4] = p.strings.length;
      p.strings.push(m.id);
    }
    p.texts[x + 5] = put(m.card);
    if (m.flags.length > 0) p.flags.push([i, m.flags]);
  }
  return p;
}

/** The buffers that move to the other thread without a copy. */
export function transferables(p: PackedMessages): ArrayBuffer[] {
  return [p.t, p.seq, p.line, p.codes, p.texts].map((a) => a.buffer as ArrayBuffer);
}

/** The messages again, as the reader made them (names interned in this thread, origins in `file`). */
export function unpackMessages(p: PackedMessages, file: string): Message[] {
  const n = p.t.length;
  const out = new Array<Message>(n);
  const strings = p.strings;
  // Shops and accounts are interned once a batch.
  const names = new Array<string | undefined>(strings.length);
  const name = (i: number): string => (names[i] ??= internName(strings[i]!));
  const texts = p.texts;
  let f = 0;
  for (let i = 0; i < n; i++) {
    const c = i * CODES;
    const x = i * TEXTS;
    let flags: readonly Flag[] = NO_FLAGS;
    if (f < p.flags.length && p.flags[f]![0] === i) flags = p.flags[f++]![1];
    const agent = texts[x + 2]!;
    const id = texts[x + 4]!;
    const card = texts[x + 5]!;
    const bot = p.codes[c + 2]!;
    const level = p.codes[c + 3]!;
    // The same fields in the same order as normalizeChatRow's: one object shape either way.
    out[i] = {
      t: p.t[i]!,
      seq: p.seq[i]!,
      shop: name(texts[x]!),
      buyer: strings[texts[x + 1]!]!,
      sender: SENDERS[p.codes[c]!]!,
      agent: agent === -1 ? null : name(agent),
      type: MESSAGE_TYPES[p.codes[c + 1]!]!,
      content: strings[texts[x + 3]!]!,
      recalled: p.codes[c + 4] === 1,
      botMode: bot === 0 ? null : BOT_MODES[bot - 1]!,
      flags: flags as Flag[],
      id: id === -1 ? null : strings[id]!,
      card: card === -1 ? null : strings[card]!,
      level: level === 0 ? null : (EVALUATION_LEVELS[level - 1]! as EvaluationLevel),
      origin: { file, line: p.line[i]! },
    };
  }
  return out;
}

/** Sort runs of one file's messages written in columns (external-sort.ts): about 3× faster than as objects. */
export function messageCodec(file: string): BlockCodec<Message> {
  return { encode: (ms) => packMessages(ms), decode: (p) => unpackMessages(p as PackedMessages, file) };
}
