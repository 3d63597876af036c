import type { Palette } from '../colors.js';
import type { Lang } from '../labels.js';
import type { Report } from '../model.js';
import { jsonChunks } from './json.js';
import { formatTable } from './table.js';
import { formatCsv } from './csv.js';
import { formatMarkdown } from './markdown.js';
import { formatHtml } from './html.js';

export interface FormatOptions {
  palette: Palette;
  /** CSV: start with a byte-order mark so Excel reads UTF-8. */
  bom: boolean;
  /** Language of the people-facing formats. */
  lang?: Lang;
  /** --details: CSV becomes the appeal pack, the table lists the items. */
  details?: boolean;
}

/** The text, or its pieces in order (written one after another: see jsonChunks). */
export type Formatter = (report: Report, options: FormatOptions) => string | Iterable<string>;

/** Reporters are pure functions from report to text, chosen by --format. */
export const FORMATS: Record<string, Formatter> = {
  table: (report, o) => formatTable(report, o.palette, o.lang),
  json: (report) => jsonChunks(report),
  csv: (report, o) => formatCsv(report, { bom: o.bom, details: o.details }),
  markdown: (report, o) => formatMarkdown(report, o.lang),
  html: (report, o) => formatHtml(report, o.lang),
};
