#!/usr/bin/env node
// Part of `npm run build`: the rule-pack schema's validator compiled ahead of time
// (dist/rules/pack-validator.js), so a run does not load and compile ajv (about 0.2 s of every
// run's start). It records the schema's hash: src/rules/load-pack.ts uses it only for that
// schema, and compiles the schema itself otherwise (an edited schema, or tests run from src/).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { PACK_AJV_OPTIONS } from '../dist/rules/pack-schema.js';

const text = readFileSync(new URL('../platforms/pack.schema.json', import.meta.url), 'utf8');
const ajv = new Ajv({ ...PACK_AJV_OPTIONS, code: { source: true, esm: true } });
const code = standalone.default(ajv, ajv.compile(JSON.parse(text)));
// The generated module is ESM but asks for ajv's runtime helpers with require().
const prelude = "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n";
const hash = createHash('sha256').update(text).digest('hex');
mkdirSync(new URL('../dist/rules/', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/rules/pack-validator.js', import.meta.url), `${prelude}export const schemaSha256 = ${JSON.stringify(hash)};\n${code.replace(/^"use strict";/, '')}\n`);
