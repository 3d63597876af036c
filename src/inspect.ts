import type { Readable } from 'node:stream';
import { audit } from './audit.js';
import { Transcoder, type Encoding } from './ingest/encoding.js';
import { canonicalRecords, type LogKind, type ProfileName, type SourceInfo } from './ingest/profiles.js';
import { layoutOf } from './ingest/records.js';
import { resolveSources, type InputSource } from './ingest/sources.js';
import { normalizePresenceRow } from './normalize/presence-row.js';
import { normalizeReviewRow } from './normalize/review-row.js';
import { normalizeChatRow } from './normalize/chat-row.js';
import type { BadRow } from './model.js';
import { InputError } from './errors.js';
import { Zone } from './time/zone.js';

/** What cs-audit understood of one input file, before any rule is applied. */
export interface FileInspection {
  file: string;
  /** Which kind of log the file reads as. */
  log: LogKind;
  encoding: Encoding;
  layout: string;
  profile: ProfileName | null;
  /** Header or key → canonical field, where they differ. */
  mapping: Record<string, string>;
  rows: number;
  messages: number;
  bad_rows: number;
  first_messages: { line: number; time: string; buyer: string; sender: string; agent: string | null; type: string; content: string }[];
  first_bad_rows: BadRow[];
  /** With a platform: what the rules did with the rows (rows = used + excluded + bad rows). */
  accounting?: { used: number; excluded: Record<string, number>; bad_rows: number };
  /** Why the file cannot be read as a chat log, and what to do. */
  error?: string;
}

export interface InspectOptions {
  inputs: string[];
  stdin: Readable;
  encoding: Encoding | null;
  inputFormat: ProfileName | null;
  headerMap: Map<string, string> | null;
  tz: string | null;
  /** Optional: run the platform's exclusions to account for every row. */
  platform: string | null;
  sample?: number;
}

function localTime(t: number, zone: Zone): string {
  const local = new Date(t + zone.offsetAt(t));
  return local.toISOString().slice(0, 19).replace('T', ' ');
}

async function readAs(
  source: InputSource,
  log: LogKind,
  result: FileInspection,
  info: SourceInfo,
  options: InspectOptions,
  zone: Zone,
  sample: number,
): Promise<void> {
  const profiles = { profile: log === 'chat' ? options.inputFormat : null, map: options.headerMap };
  let seq = 0;
  for await (const item of canonicalRecords(source, log, profiles, info)) {
    result.rows++;
    const origin = { file: source.name, line: item.line };
    const m =
      'unreadable' in item
        ? item.unreadable
        : log === 'chat'
          ? normalizeChatRow(item.values, origin, seq++, zone)
          : log === 'presence'
            ? normalizePresenceRow(item.values, origin, seq++, zone)
            : normalizeReviewRow(item.values, origin, seq++, zone);
    if (typeof m === 'string') {
      result.bad_rows++;
      if (result.first_bad_rows.length < sample) result.first_bad_rows.push({ file: source.name, line: item.line, reason: m });
      continue;
    }
    result.messages++;
    if (result.first_messages.length >= sample) continue;
    if ('sender' in m) {
      result.first_messages.push({
        line: m.origin.line,
        time: localTime(m.t, zone),
        buyer: m.buyer,
        sender: m.sender,
        agent: m.agent,
        type: m.type,
        content: m.content.length > 40 ? `${m.content.slice(0, 40)}…` : m.content,
      });
    } else if ('status' in m) {
      result.first_messages.push({ line: m.origin.line, time: localTime(m.t, zone), buyer: '', sender: m.status, agent: m.agent, type: 'presence', content: '' });
    } else {
      result.first_messages.push({
        line: m.origin.line,
        time: localTime(m.t, zone),
        buyer: '',
        sender: `${m.rating}★`,
        agent: m.agent,
        type: 'review',
        content: m.replyT === null ? 'not replied' : `replied ${localTime(m.replyT, zone)}`,
      });
    }
  }
}

export async function inspect(options: InspectOptions): Promise<FileInspection[]> {
  const zone = new Zone(options.tz ?? 'Asia/Shanghai');
  const sample = options.sample ?? 5;
  const transcoder = new Transcoder();
  try {
    const sources = await resolveSources(options.inputs, { stdin: options.stdin, encoding: options.encoding, transcoder });
    const out: FileInspection[] = [];
    for (const source of sources) {
      const layout = await layoutOf(source);
      const info: SourceInfo = { profile: null, layout: '', mapping: {} };
      const result: FileInspection = {
        file: source.name,
        log: 'chat',
        encoding: source.encoding,
        layout: layout.kind === 'json' ? 'json' : `csv, separator ${JSON.stringify(layout.delimiter)}`,
        profile: null,
        mapping: {},
        rows: 0,
        messages: 0,
        bad_rows: 0,
        first_messages: [],
        first_bad_rows: [],
      };
      // Chat log first; a file that is no chat log may be a presence or review log.
      let chatError: string | null = null;
      for (const log of ['chat', 'presence', 'review'] as const) {
        Object.assign(result, { rows: 0, messages: 0, bad_rows: 0, first_messages: [], first_bad_rows: [], log });
        try {
          await readAs(source, log, result, info, options, zone, sample);
          chatError = null;
          break;
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          chatError ??= err.message;
        }
      }
      if (chatError !== null) Object.assign(result, { log: 'chat', error: chatError, rows: 0, messages: 0, bad_rows: 0 });
      result.profile = info.profile;
      result.mapping = info.mapping;
      out.push(result);
    }
    if (options.platform !== null) {
      for (const r of out) {
        if (r.error !== undefined || r.log !== 'chat') continue;
        const report = await audit({
          platform: options.platform,
          rulesFile: null,
          inputs: [r.file.includes('.zip:') ? r.file.slice(0, r.file.indexOf('.zip:') + 4) : r.file],
          tz: options.tz,
          from: null,
          to: null,
          strict: false,
          stdin: options.stdin,
          encoding: options.encoding,
          inputFormat: options.inputFormat,
          headerMap: options.headerMap,
        }).catch(() => null);
        const f = report?.input.files.find((x) => x.file === r.file);
        if (f) r.accounting = { used: f.used ?? 0, excluded: f.excluded ?? {}, bad_rows: f.bad_rows };
      }
    }
    return out;
  } finally {
    await transcoder.dispose();
  }
}

/** The inspection as text for people. */
export function formatInspection(files: FileInspection[]): string {
  const lines: string[] = [];
  for (const f of files) {
    lines.push(f.file);
    lines.push(`  log         ${f.log}`);
    lines.push(`  encoding    ${f.encoding}`);
    lines.push(`  layout      ${f.layout}`);
    lines.push(`  profile     ${f.profile ?? '(none: no records)'}`);
    const mapped = Object.entries(f.mapping);
    if (mapped.length > 0) lines.push(`  header      ${mapped.map(([a, b]) => `${a} → ${b}`).join(', ')}`);
    if (f.error !== undefined) {
      lines.push(`  error       ${f.error}`, '');
      continue;
    }
    lines.push(`  rows        ${f.rows}: ${f.messages} messages, ${f.bad_rows} bad rows`);
    if (f.accounting) {
      const ex = Object.entries(f.accounting.excluded);
      const total = ex.reduce((n, [, v]) => n + v, 0);
      lines.push(
        `  accounting  ${f.accounting.used} used + ${total} excluded + ${f.accounting.bad_rows} bad = ${f.accounting.used + total + f.accounting.bad_rows} rows` +
          (ex.length > 0 ? ` (excluded: ${ex.map(([k, v]) => `${k} ${v}`).join(', ')})` : ''),
      );
    }
    if (f.first_messages.length > 0) {
      lines.push('  first messages:');
      for (const m of f.first_messages) {
        const who = m.type === 'presence' || m.type === 'review' ? `${m.agent ?? ''}` : `buyer=${m.buyer}${m.agent ? ` agent=${m.agent}` : ''}`;
        lines.push(`    line ${m.line}: ${m.time}  ${m.sender.padEnd(8)} ${who}  ${m.type}  ${m.content}`.trimEnd());
      }
    }
    if (f.first_bad_rows.length > 0) {
      lines.push('  first bad rows:');
      for (const b of f.first_bad_rows) lines.push(`    line ${b.line}: ${b.reason}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
