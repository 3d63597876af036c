import type { Palette } from '../colors.js';
import type { Report } from '../model.js';
import { formatJson } from './json.js';
import { formatTable } from './table.js';

export type Formatter = (report: Report, palette: Palette) => string;

/** Reporters are pure functions from report to text, chosen by --format. */
export const FORMATS: Record<string, Formatter> = {
  json: (report) => formatJson(report),
  table: formatTable,
};
