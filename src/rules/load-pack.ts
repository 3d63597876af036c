import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { InputError } from '../errors.js';
import { DETECTOR_IDS } from '../conduct/detectors.js';
import { Zone, clockToMs, isoToDay } from '../time/zone.js';
import { PACK_SCHEMA, PLATFORMS_DIR, packValidator } from './pack-schema.js';
import type { MetricRule, Pack, PackVersion } from './pack-types.js';

export { PLATFORMS_DIR };

const validate = await packValidator();
const METRIC_KINDS = (PACK_SCHEMA as { definitions: { metric: { properties: { kind: { enum: string[] } } } } }).definitions.metric
  .properties.kind.enum;

export function builtInPlatforms(): string[] {
  return readdirSync(PLATFORMS_DIR)
    .filter((f) => f.endsWith('.json') && f !== 'pack.schema.json')
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function loadBuiltInPack(id: string): Pack {
  const known = builtInPlatforms();
  if (!known.includes(id)) {
    throw new InputError(`unknown platform "${id}" (built-in: ${known.join(', ')}; or pass --rules FILE)`);
  }
  return loadPackFile(path.join(PLATFORMS_DIR, `${id}.json`), `platforms/${id}.json`);
}

export function loadPackFile(file: string, shownAs = file): Pack {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${shownAs}: cannot read rule pack (${code === 'ENOENT' ? 'no such file' : code})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${shownAs}: rule pack is not valid JSON (${(err as Error).message})`);
  }
  return checkPack(data, shownAs);
}

/** Validate a parsed pack: schema first, then what a schema cannot say. */
export function checkPack(data: unknown, shownAs: string): Pack {
  if (!validate(data)) {
    const problems = (validate.errors ?? []).filter(useful).map(describe);
    throw new InputError(`${shownAs}: invalid rule pack:\n${[...new Set(problems)].map((p) => `  ${p}`).join('\n')}`);
  }
  const problems: string[] = [];
  const pack = resolveVersions(data, problems);
  if (problems.length > 0) {
    throw new InputError(`${shownAs}: invalid rule pack:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  if (!Zone.isValid(pack.timezone.value)) problems.push(`timezone.value: unknown time zone "${pack.timezone.value}"`);
  let previous = -Infinity;
  pack.versions.forEach((v, i) => {
    const at = `versions[${i}]`;
    const day = isoToDay(v.effective);
    if (day === null) problems.push(`${at}.effective: "${v.effective}" is not a date`);
    else if (day <= previous) problems.push(`${at}.effective: versions must be in increasing order of effective date`);
    else previous = day;
    const ids = new Set<string>();
    v.metrics.forEach((m, j) => {
      const mat = `${at}.metrics[${j}]`;
      if (ids.has(m.id)) problems.push(`${mat}.id: metric "${m.id}" appears twice`);
      ids.add(m.id);
      problems.push(...checkMetric(m, mat));
    });
  });
  pack.conduct?.penalties.forEach((p, i) => {
    if (!DETECTOR_IDS.has(p.detector)) problems.push(`conduct.penalties[${i}].detector: unknown detector "${p.detector}" (known: ${[...DETECTOR_IDS].join(', ')})`);
  });
  if (problems.length > 0) {
    throw new InputError(`${shownAs}: invalid rule pack:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return pack;
}

const VERSION_FIELDS = ['exclude', 'questions', 'replies', 'rounds', 'session_gap_minutes', 'metrics', 'interpretations'] as const;

/**
 * Versions read like the tz database's dated rules: a later version lists what changes. Fields it
 * leaves out are inherited from the version before; metrics merge by id; interpretations add up.
 */
function resolveVersions(pack: Pack, problems: string[]): Pack {
  const resolved: PackVersion[] = [];
  pack.versions.forEach((raw, i) => {
    const own = raw as Partial<PackVersion> & Pick<PackVersion, 'version' | 'effective' | 'source'>;
    const previous = resolved[i - 1];
    if (!previous) {
      const missing = VERSION_FIELDS.filter((f) => own[f] === undefined);
      if (missing.length > 0) problems.push(`versions[0]: the first version must give ${missing.map((f) => `"${f}"`).join(', ')}`);
      resolved.push(own as PackVersion);
      return;
    }
    const metrics = [...previous.metrics];
    for (const m of own.metrics ?? []) {
      const at = metrics.findIndex((x) => x.id === m.id);
      if (at >= 0) metrics[at] = m;
      else metrics.push(m);
    }
    resolved.push({
      ...previous,
      ...own,
      metrics,
      interpretations: [...previous.interpretations, ...(own.interpretations ?? [])],
    });
  });
  return { ...pack, versions: resolved };
}

function checkMetric(m: MetricRule, at: string): string[] {
  const problems: string[] = [];
  if (m.kind === 'buyer_daily' && m.rule.value === 'every_message_within' && m.threshold_seconds === undefined) {
    problems.push(`${at}.threshold_seconds: required when rule is every_message_within`);
  }
  if (m.kind === 'round_response' || m.kind === 'buyer_daily' || m.kind === 'session_response') {
    const from = clockToMs(m.window.from);
    const to = clockToMs(m.window.to);
    if (from === null) problems.push(`${at}.window.from: "${m.window.from}" is not a time of day`);
    if (to === null) problems.push(`${at}.window.to: "${m.window.to}" is not a time of day`);
    if (from !== null && to !== null && from >= to) {
      problems.push(`${at}.window: from (${m.window.from}) must be before to (${m.window.to})`);
    }
  }
  m.penalties.forEach((rule, k) => {
    const consequences =
      rule.when === 'monthly_tiers'
        ? rule.tiers.flatMap((t) => t.consequences)
        : rule.when === 'failing_months_together'
          ? rule.ladder.flatMap((t) => t.consequences)
          : rule.consequences;
    for (const c of consequences) {
      if (c.kind === 'fine' && c.amount_cny === undefined) problems.push(`${at}.penalties[${k}]: a fine needs amount_cny`);
      if (c.kind === 'points' && c.points === undefined) problems.push(`${at}.penalties[${k}]: points need points`);
      if (c.kind === 'restriction' && c.days === undefined && rule.when === 'assessment_cycle') {
        problems.push(`${at}.penalties[${k}]: an assessment cycle's restriction needs days`);
      }
    }
  });
  return problems;
}

// With a discriminator, the branch errors are already specific; drop ajv's summary lines.
function useful(e: ErrorObject): boolean {
  return e.keyword !== 'oneOf' && e.keyword !== 'if';
}

function fieldPath(instancePath: string): string {
  if (instancePath === '') return '(top level)';
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function describe(e: ErrorObject): string {
  const at = fieldPath(e.instancePath);
  switch (e.keyword) {
    case 'required':
      return `${at}: missing "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'additionalProperties':
      return `${at}: unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'enum':
      return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${at}: must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'discriminator':
      return `${at}.kind: unknown metric kind (known: ${METRIC_KINDS.join(', ')})`;
    default:
      return `${at}: ${e.message ?? e.keyword}`;
  }
}
