import Table from 'cli-table3';
import { DETECTORS } from '../../conduct/detectors.js';
import type { Palette } from '../colors.js';
import type { AssessmentPeriod } from '../../metrics/periods.js';
import type { Bound, Consequence, MetricRule, Pack, PackVersion, PenaltyRule } from '../../rules/pack-types.js';

// Pack summaries for `cs-audit platforms` and `cs-audit rules`: formatting of pack data only.

export interface PlatformSummary {
  id: string;
  name: { zh: string; en: string };
  metrics: string[];
  versions: { version: string; effective: string }[];
  sources: string[];
}

export function summarize(pack: Pack): PlatformSummary {
  const metrics: string[] = [];
  for (const v of pack.versions) for (const m of v.metrics) if (!metrics.includes(m.id)) metrics.push(m.id);
  return {
    id: pack.id,
    name: pack.name,
    metrics,
    versions: pack.versions.map((v) => ({ version: v.version, effective: v.effective })),
    sources: Object.values(pack.sources).map((s) => s.title + (s.published ? ` (${s.published})` : '')),
  };
}

export function formatPlatforms(packs: Pack[], p: Palette): string {
  const table = new Table({
    head: ['Platform', 'Name', 'Metrics', 'Versions', 'Source'].map((h) => p.bold(h)),
    style: { head: [], border: [] },
    colWidths: [13, 22, 30, 14, 44],
    wordWrap: true,
  });
  for (const s of packs.map(summarize)) {
    table.push([s.id, `${s.name.zh}\n${s.name.en}`, s.metrics.join('\n'), s.versions.map((v) => v.version).join('\n'), s.sources[0] ?? '']);
  }
  return `${table.toString()}\nRun "cs-audit rules <platform>" for the rules in force.\n`;
}

function pct(value: number): string {
  return `${Number((value * 100).toFixed(2))} %`;
}

function periodText(period: AssessmentPeriod): string {
  if (period.kind === 'month') return 'the calendar month to date';
  if (period.days === 1 && !period.offset) return 'each day on its own';
  if (period.offset) return `the ${period.days} days ending ${period.offset} day(s) before (T-${period.days + period.offset - 1}..T-${period.offset})`;
  return `the last ${period.days} days`;
}

function consequence(c: Consequence): string {
  const amount = c.kind === 'fine' ? ` ${c.amount_cny} CNY` : c.kind === 'points' ? ` ${c.points} points` : c.days ? ` ${c.days} days` : '';
  return `${c.kind}${amount}: ${c.clause} [${c.source}]`;
}

function bound(name: string, b: Bound): string {
  return [
    b.gt === undefined ? null : `${name} > ${b.gt}`,
    b.gte === undefined ? null : `${name} ≥ ${b.gte}`,
    b.lt === undefined ? null : `${name} < ${b.lt}`,
    b.lte === undefined ? null : `${name} ≤ ${b.lte}`,
  ]
    .filter((x) => x !== null)
    .join(' and ');
}

function penaltyLines(rule: PenaltyRule): string[] {
  const each = (cs: Consequence[]) => cs.map((c) => `      → ${consequence(c)}`);
  switch (rule.when) {
    case 'failing_day':
      return ['    every failing day:', ...each(rule.consequences)];
    case 'failing_item':
      return ['    every failed item:', ...each(rule.consequences)];
    case 'failing_days_in_month':
      return [`    failing day number ${rule.count} of a calendar month (once a month):`, ...each(rule.consequences)];
    case 'consecutive_failing_months':
      return [`    ${rule.months} consecutive failing months:`, ...each(rule.consequences)];
    case 'zero_days_run':
      return [`    ${rule.days} consecutive days with nothing:`, ...each(rule.consequences)];
    case 'assessment_cycle':
      return [
        `    a failing assessment starts a penalty; no assessment while it runs${rule.once_per_month ? '; at most once a month' : ''}:`,
        ...each(rule.consequences),
      ];
    case 'robot_takeover':
      return [`    buyers wrote on D and each of the ${rule.days} days before had under ${rule.below_hours} h online:`, ...each(rule.consequences)];
    case 'failing_months_together':
      return [
        `    months failing on any of ${rule.metrics.join(', ')}${rule.exempt_first_months ? ` (first ${rule.exempt_first_months} months exempt)` : ''}:`,
        ...rule.ladder.flatMap((step) => [`      after ${step.months} in a row:`, ...each(step.consequences).map((l) => `  ${l}`)]),
      ];
    case 'monthly_tiers':
      return [
        `    monthly tiers (volume from ${rule.volume_metric}; the first matching tier applies):`,
        ...rule.tiers.flatMap((t) => [`      ${bound('n', t.volume)}, ${bound('rate', t.rate)}:`, ...each(t.consequences).map((l) => `  ${l}`)]),
      ];
  }
}

function metricLines(m: MetricRule): string[] {
  const lines = [`  ${m.id} — ${m.name.zh} ${m.name.en} (unit: ${m.unit}, kind: ${m.kind})`];
  if ('window' in m) lines.push(`    window ${m.window.from}-${m.window.to} [${m.window.source}]`);
  if ('threshold_seconds' in m && m.threshold_seconds) {
    lines.push(`    reply within ${m.threshold_seconds.value} s, inclusive [${m.threshold_seconds.source}]`);
  }
  if (m.kind === 'buyer_daily') lines.push(`    rule: ${m.rule.value} [${m.rule.source}]`);
  if (m.kind === 'evaluation_rate') lines.push(`    passed levels: ${m.passed_levels.value.join(', ')} [${m.passed_levels.source}]`);
  if (m.kind === 'review_reply') {
    lines.push(`    ratings ${m.ratings.value.join(', ')}${m.require_content.value ? ', with content' : ''} [${m.ratings.source}]`);
  }
  if (m.kind === 'round_response') {
    const ex = Object.entries(m.exclude_rounds).filter(([, c]) => c.value);
    if (ex.length > 0) lines.push(`    rounds not counted: ${ex.map(([k, c]) => `${k} [${c.source}]`).join('; ')}`);
  }
  const target = m.kind === 'online_hours' ? `${m.target.value} h a day` : pct(m.target.value);
  lines.push(`    target ${m.target.op} ${target}${m.target.assumed ? ' (ASSUMED: set your own)' : ''} [${m.target.source}]`);
  lines.push(`    assessed on ${periodText(m.assessment.period.value)} [${m.assessment.period.source}]`);
  if (m.kind !== 'online_hours') lines.push(`    not assessed below ${m.assessment.min_volume.value} ${m.unit}s [${m.assessment.min_volume.source}]`);
  if (m.penalties.length === 0) lines.push('    penalties: none');
  else lines.push('    penalties:', ...m.penalties.flatMap(penaltyLines).map((l) => `  ${l}`));
  return lines;
}

export function formatRules(pack: Pack, version: PackVersion, p: Palette): string {
  const out: string[] = [];
  out.push(p.bold(`${pack.name.zh} ${pack.name.en} (${pack.id}) — rules in force from ${version.effective} (version ${version.version})`));
  if (version.effective_note) out.push(p.dim(version.effective_note));
  out.push(`Versions: ${pack.versions.map((v) => `${v.version} (from ${v.effective})`).join(', ')}; days in ${pack.timezone.value}.`);
  out.push('', p.bold('Messages that never count'));
  const ex = version.exclude;
  if (ex.recalled.value) out.push(`  recalled messages [${ex.recalled.source}]`);
  for (const c of ex.types) out.push(`  type ${c.value} [${c.source}]`);
  for (const c of ex.senders) out.push(`  sender ${c.value} [${c.source}]`);
  for (const c of ex.flags) out.push(`  flag ${c.value} [${c.source}]`);
  if (ex.internal_chatter.value) out.push(`  chatter between the shop's own accounts [${ex.internal_chatter.source}]`);
  if (ex.merchant_conversations.value) out.push(`  conversations with other merchants [${ex.merchant_conversations.source}]`);
  out.push('', p.bold('Questions and replies'));
  out.push(`  buyer messages asking for a reply: ${version.questions.value.join(', ')} [${version.questions.source}]`);
  out.push(`  valid replies: agent ${version.replies.agent_types.value.join(', ')} [${version.replies.agent_types.source}]`);
  out.push(`  smart-assist bot replies ${version.replies.bot_assist.value ? 'count' : 'do not count'} [${version.replies.bot_assist.source}]`);
  if (version.rounds.assign_restarts.value) out.push(`  an assign re-starts a waiting round [${version.rounds.assign_restarts.source}]`);
  out.push(`  a session opens after ${version.session_gap_minutes.value} idle minutes [${version.session_gap_minutes.source}]`);
  out.push('', p.bold('Metrics'));
  for (const m of version.metrics) out.push(...metricLines(m), '');
  if (version.interpretations.length > 0) {
    out.push(p.bold('Interpretations'));
    for (const i of version.interpretations) out.push(`  ${i.id}: ${i.text} [${i.source}]`);
  }
  out.push(...conductLines(pack, p));
  if (pack.doc) out.push('', p.dim(`More: platforms/${pack.doc}`));
  return `${out.join('\n')}\n`;
}

/** RULES.md §8: the detectors, this pack's settings for them, and the penalties it attaches. */
function conductLines(pack: Pack, p: Palette): string[] {
  const c = pack.conduct;
  const out = ['', p.bold('Conduct (what agents write)')];
  if (!c) return [...out, '  every detector runs with cs-audit\'s defaults; this pack attaches no penalty'];
  out.push(`  the platform's own links: ${c.allowed_domains.value.join(', ') || 'none'} [${c.allowed_domains.source}]`);
  out.push(`  night for shop-initiated contact: ${c.night.from}-${c.night.to} [${c.night.source}]`);
  out.push(`  unanswered shop messages in a row: ${c.unanswered_messages.value} [${c.unanswered_messages.source}]`);
  for (const d of DETECTORS) {
    const penalty = c.penalties.find((x) => x.detector === d.id);
    const consequence = penalty
      ? `${penalty.consequence.kind}${penalty.consequence.points ? ` ${penalty.consequence.points} points` : ''}${penalty.consequence.days ? ` ${penalty.consequence.days} days` : ''}${penalty.from_occurrence && penalty.from_occurrence > 1 ? ` from finding no. ${penalty.from_occurrence} with a buyer` : ''}: ${penalty.consequence.clause} [${penalty.consequence.source}]`
      : 'finding, no penalty';
    out.push(`  ${d.id} — ${d.description}: ${consequence}`);
  }
  return out;
}
