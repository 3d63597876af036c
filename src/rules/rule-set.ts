import { createHash } from 'node:crypto';
import { builtInLexicon } from '../conduct/detectors.js';
import { isoToDay, Zone } from '../time/zone.js';
import type { MetricRule, Pack, PackVersion } from './pack-types.js';

/** A loaded pack with its versions ordered by effective day: which rules are in force when. */
export class RuleSet {
  readonly pack: Pack;
  readonly zone: Zone;
  private readonly effectiveDays: number[];

  constructor(pack: Pack) {
    this.pack = pack;
    this.zone = new Zone(pack.timezone.value);
    this.effectiveDays = pack.versions.map((v) => isoToDay(v.effective)!);
  }

  private hash: string | null = null;

  /**
   * What identifies these rules: a hash of the pack and of the conduct lexicon (both decide the
   * report). A history store and `cs-audit merge` compare it.
   */
  get sha256(): string {
    this.hash ??= createHash('sha256').update(JSON.stringify(this.pack)).update(JSON.stringify(builtInLexicon())).digest('hex');
    return this.hash;
  }

  /** RULES.md §1: each day is judged by the version in force; days before the first use the first. */
  versionIndexAt(day: number): number {
    let index = 0;
    for (let i = 1; i < this.effectiveDays.length; i++) if (this.effectiveDays[i]! <= day) index = i;
    return index;
  }

  versionAt(day: number): PackVersion {
    return this.pack.versions[this.versionIndexAt(day)]!;
  }

  metricAt(id: string, day: number): MetricRule | null {
    return this.versionAt(day).metrics.find((m) => m.id === id) ?? null;
  }

  /** Every metric id any version defines, in order of first appearance. */
  metricIds(): string[] {
    const ids: string[] = [];
    for (const v of this.pack.versions) for (const m of v.metrics) if (!ids.includes(m.id)) ids.push(m.id);
    return ids;
  }

  /** The latest definition of a metric (for names, units and kinds). */
  latestMetric(id: string): MetricRule {
    for (let i = this.pack.versions.length - 1; i >= 0; i--) {
      const m = this.pack.versions[i]!.metrics.find((x) => x.id === id);
      if (m) return m;
    }
    throw new Error(`metric ${id} not in pack`);
  }
}
