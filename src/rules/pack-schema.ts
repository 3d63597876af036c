import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import type { Pack } from './pack-types.js';

/** Where the built-in packs live: <package root>/platforms (same from src/ and dist/). */
export const PLATFORMS_DIR = fileURLToPath(new URL('../../platforms/', import.meta.url));

/** How ajv reads the pack schema, at build time (scripts/build-pack-validator.mjs) and here. */
export const PACK_AJV_OPTIONS = { allErrors: true, discriminator: true, strict: true } as const;

export interface PackValidator {
  (data: unknown): data is Pack;
  errors?: ErrorObject[] | null;
}

const schemaText = readFileSync(path.join(PLATFORMS_DIR, 'pack.schema.json'), 'utf8');
export const PACK_SCHEMA = JSON.parse(schemaText) as object;

/**
 * The schema's validator: the one compiled at build time when it was built from this very
 * schema (its hash says so), else compiled now. Both are ajv's code for the same schema and
 * options; test/rules/pack-validation.test.ts holds them to the same verdicts.
 */
export async function packValidator(): Promise<PackValidator> {
  const hash = createHash('sha256').update(schemaText).digest('hex');
  try {
    const built = (await import(new URL('./pack-validator.js', import.meta.url).href)) as { schemaSha256: string; default: PackValidator };
    if (built.schemaSha256 === hash) return built.default;
  } catch {
    // Not built (tests run from src/): compile below.
  }
  return compiledPackValidator();
}

/** The schema compiled now. */
export async function compiledPackValidator(): Promise<PackValidator> {
  const { Ajv } = await import('ajv');
  return new Ajv(PACK_AJV_OPTIONS).compile<Pack>(PACK_SCHEMA) as PackValidator;
}
