import { audit, type AuditOptions } from './audit.js';
import type { TraceEvent, Tracer } from './engine/audit-shop.js';
import type { Verdict } from './metrics/round-response.js';
import type { Report } from './report/model.js';
import { localTime } from './time/local.js';
import { Zone } from './time/zone.js';

export interface ExplainResult {
  buyer: string;
  report: Report;
  events: TraceEvent[];
}

/** Audit as usual while following one buyer's conversation (cs-audit explain). */
export async function explain(options: AuditOptions & { buyer: string }): Promise<ExplainResult> {
  const tracer: Tracer = { buyer: options.buyer, events: [] };
  const report = await audit({ ...options, tracer });
  return { buyer: options.buyer, report, events: tracer.events };
}

function verdictText(v: Verdict): string {
  if (v.kind === 'excluded') return `not counted (${v.reason})`;
  if (v.kind === 'undecided') return 'undecided';
  return `${v.outcome.toUpperCase()} — ${v.why}${v.agent ? `; for ${v.agent}` : ''}`;
}

/** When an item's line belongs: after the message that closed it; null while it is still open. */
function closedAt(e: TraceEvent): number | null {
  if (e.kind === 'round') return e.round.reply?.t ?? e.round.closedAt ?? null;
  if (e.kind === 'session') return e.session.firstReply?.t ?? e.t;
  return e.t;
}

/** The conversation for people: each message with its fate, each round and session with its verdict. */
export function formatExplanation(result: ExplainResult, date: string | null, shownBuyer: string = result.buyer): string {
  const zone = new Zone(result.report.timezone);
  const events = result.events
    .filter((e) => {
      const closed = closedAt(e);
      return date === null || localTime(e.t, zone).startsWith(date) || (closed !== null && localTime(closed, zone).startsWith(date));
    })
    // A round still open when the data ends is decided after every message.
    .map((e, i) => ({ e, at: closedAt(e) ?? Infinity, order: e.kind === 'message' ? 0 : 1, i }))
    .sort((a, b) => a.at - b.at || a.order - b.order || a.i - b.i);
  if (events.length === 0) {
    return `No messages of buyer "${shownBuyer}"${date ? ` on ${date}` : ''} in the input (buyer ids are matched exactly).\n`;
  }
  const lines = [`Conversation with ${shownBuyer} — ${result.report.platform} rules ${result.report.rules.version}, times in ${zone.name}`, ''];
  for (const { e } of events) {
    if (e.kind === 'message') {
      const m = e.message;
      const who = m.sender === 'buyer' ? `buyer${m.agent ? ` → ${m.agent}` : ''}` : `${m.sender} ${m.agent ?? ''}`.trim();
      const content = m.content.replace(/\s+/g, ' ');
      lines.push(
        `${localTime(m.t, zone)}  ${who.padEnd(24)} ${m.type.padEnd(10)} ${content.length > 30 ? `${content.slice(0, 30)}…` : content.padEnd(31)}  ${e.disposition}  (${m.origin.file}:${m.origin.line})`,
      );
    } else if (e.kind === 'round') {
      const r = e.round;
      const restarted = r.restartedAt === null ? '' : `, re-started ${localTime(r.restartedAt, zone)} by an assign (counted from then)`;
      const end = r.reply ? `reply ${localTime(r.reply.t, zone)}` : r.closedBy === 'new_day' ? 'closed by a later day' : 'still open when the data ends';
      lines.push(`  ▸ ${e.metric}: round opened ${localTime(r.opening.t, zone)}${restarted}, ${r.buyerMessages} buyer message(s), ${end} → ${verdictText(e.verdict)}`);
    } else {
      const s = e.session;
      const end = s.firstReply ? `first reply ${localTime(s.firstReply.t, zone)}` : 'no reply';
      lines.push(`  ▸ ${e.metric}: session from ${localTime(s.start, zone)}, ${end} → ${verdictText(e.verdict)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
