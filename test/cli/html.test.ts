// Issue 5 §3: the HTML report is one self-contained file; headless Chromium (Debian's chromium,
// installed by .ci/run) opens it and we assert on what it rendered.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { escapeHtml, formatHtml } from '../../src/report/formats/html.js';
import { auditCsv } from '../helpers/audit.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? null;
const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-html-'));

function chromium(args: string[]): { stdout: string; status: number | null } {
  const profile = mkdtempSync(path.join(tmpdir(), 'cs-audit-chromium-'));
  const r = spawnSync(
    CHROMIUM!,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, ...args],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { stdout: r.stdout, status: r.status };
}

describe('--format html', () => {
  const out = path.join(dir, 'report.html');
  const run = spawnSync(process.execPath, ['bin/cs-audit.js', 'run', '-p', 'tmall', '-f', 'html', '--details', '--lang', 'en', '--out', out, 'samples/tmall/chat-2026-11.csv'], { cwd: ROOT, encoding: 'utf8' });

  it('is one self-contained file: no scripts, no links to the network', () => {
    expect(run.status).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link |src="http|href="http/);
  });

  it.skipIf(CHROMIUM === null && process.env.CI !== 'true')('renders in headless Chromium with its charts, tables and penalties', () => {
    const dom = chromium(['--dump-dom', `file://${out}`]);
    expect(dom.status).toBe(0);
    expect(dom.stdout.match(/<svg class="chart"/g)?.length).toBe(2);
    expect(dom.stdout.match(/<svg class="chart agents"/g)?.length).toBe(2);
    expect(dom.stdout).toContain('3分钟人工响应率');
    expect(dom.stdout).toContain('<td class="status fail">FAIL</td>');
    expect(dom.stdout).toContain('Failed and pending items (102)');
    const png = path.join(dir, 'report.png');
    expect(chromium(['--window-size=900,1400', `--screenshot=${png}`, `file://${out}`]).status).toBe(0);
    expect(statSync(png).size).toBeGreaterThan(20_000);
  });

  it('--lang zh labels headings, statuses, projections and the details table in Chinese', async () => {
    const r = await auditCsv('time,buyer,sender\n2026-11-02 10:00:00,b1,buyer\n2026-11-02 10:05:00,b1,agent\n', { details: true });
    const html = formatHtml(r, 'zh');
    expect(html).toContain('未达标及待定项 (1)');
    expect(html).toContain('<th>买家</th>');
    expect(html).toContain('<td class="status na">不考核</td>');
    expect(html).toContain('全部店铺合计: 违约金 0 CNY');
    expect(html).not.toMatch(/Failed and pending|Totals for all shops|>Rules /);
  });

  it('escapes every string from the input', async () => {
    const r = await auditCsv('time,buyer,sender,content\n2026-11-02 10:00:00,"<img src=x onerror=alert(1)>",buyer,"<script>alert(2)</script>"\n2026-11-02 11:00:00,b2,agent,x\n', {
      details: true,
    });
    const html = formatHtml(r);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
  });
});
