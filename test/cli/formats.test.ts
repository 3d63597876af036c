// Issue 5 §3, §6: every format from the samples, and safe output.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { csvCell, formatCsv } from '../../src/report/formats/csv.js';
import { formatMarkdown } from '../../src/report/formats/markdown.js';
import { auditCsv } from '../helpers/audit.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const cli = (args: string[]) =>
  spawnSync(process.execPath, ['bin/cs-audit.js', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: '' } });

describe('--format csv', () => {
  it('long form: a row per day × metric × agent, "(all)" for the shop; --bom for Excel', () => {
    const r = cli(['run', '-p', 'tmall', '-f', 'csv', '--bom', 'samples/tmall/chat-2026-11.csv']);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('\uFEFFshop,metric,metric_name,unit,date,agent,')).toBe(true);
    const lines = r.stdout.trim().split('\r\n');
    // 2 metrics × 3 days × (1 shop row + 3 agents) = 24 rows + header.
    expect(lines).toHaveLength(25);
    expect(lines[1]).toContain(',2026-11-02,(all),111,93,0,0.8378,,pass,');
  });

  it('with --details, an appeal pack: a row per failed or pending item with its messages', () => {
    const r = cli(['run', '-p', 'pinduoduo', '-f', 'csv', '--details', 'samples/pinduoduo/chat.csv']);
    expect(r.status).toBe(0);
    const [header] = r.stdout.split('\r\n');
    expect(header).toBe('shop,metric,date,outcome,buyer,agent,start,text,reply_time,delay_seconds,reason,file,line,messages');
    // 293 − 172 = 121 buyer-days not effective.
    expect(r.stdout.split('\r\n').filter((l) => l.startsWith('星河数码专营店,effective_reply_1h,'))).toHaveLength(121);
  });

  it('with --details and no rows, still the appeal-pack header (a script reading it sees the same columns)', async () => {
    const r = await auditCsv('time,buyer,sender\n');
    expect(formatCsv(r, { details: true }).split('\r\n')[0]).toBe('shop,metric,date,outcome,buyer,agent,start,text,reply_time,delay_seconds,reason,file,line,messages');
  });

  it('neutralizes spreadsheet formulas in every text cell (=, +, -, @, tab, CR)', () => {
    for (const bad of ['=HYPERLINK("http://x")', '+1+1', '-2', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(bad).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell('亲,在的')).toBe('"亲,在的"');
  });

  it('a buyer message that is a formula reaches the appeal pack as text', async () => {
    const r = await auditCsv('time,buyer,sender,content\n2026-11-02 10:00:00,b1,buyer,"=cmd|\' /C calc\'!A0"\n2026-11-02 11:00:00,b2,agent,x\n', {
      details: true,
    });
    const csv = formatCsv(r);
    expect(csv).toContain(`,'=cmd|' /C calc'!A0,`);
    expect(csv).not.toMatch(/,=cmd/);
  });
});

describe('--format table --details', () => {
  it('lists the failed and pending items after the penalties, the first 30 in a table and a pointer to the rest', () => {
    const json = JSON.parse(cli(['run', '-p', 'tmall', '-f', 'json', '--details', 'samples/tmall/chat-2026-11.csv']).stdout) as { details: unknown[] };
    const r = cli(['run', '-p', 'tmall', '--details', 'samples/tmall/chat-2026-11.csv']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Failed and pending items: ${json.details.length}`);
    expect(r.stdout).toContain(`… ${json.details.length - 30} more: --format csv --details`);
    expect(r.stdout).toContain('first reply after 475 s');
  });
});

describe('--format markdown', () => {
  it('gives tables for every metric, the penalties and the totals (for CI job summaries)', () => {
    const r = cli(['run', '-p', 'taojiji', '-f', 'markdown', 'samples/taojiji/chat.csv', '--presence', 'samples/taojiji/presence.csv']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('# cs-audit taojiji: 2026-11-02 … 2026-11-06');
    expect(r.stdout).toContain('| 2026-11-03 | 11.00 h | 11.00 h | ❌ FAIL |');
    expect(r.stdout).toContain('| 2026-11-06 | effective_reply_5min | fine | 500 CNY |');
    expect(r.stdout).toContain('**Totals:** fines 1500 CNY');
  });

  it('--lang zh names the metric of a penalty as shops know it', () => {
    const r = cli(['run', '-p', 'taojiji', '-f', 'markdown', '--lang', 'zh', 'samples/taojiji/chat.csv', '--presence', 'samples/taojiji/presence.csv']);
    expect(r.stdout).toContain('| 2026-11-06 | 有效回复率(5分钟回复率) | 违约金 | 500 CNY |');
    expect(r.stdout).toContain('| 2026-11-05 | 在线时长 | 违约金 | 1000 CNY |');
  });

  it('escapes table pipes in reasons and notes', async () => {
    const r = await auditCsv('time,buyer,sender\n2026-11-02 10:00:00,b1,buyer\n');
    r.shops[0]!.penalties.push({ date: '2026-11-02', metric: 'm', kind: 'warning', amount_cny: 0, points: 0, clause: 'c', reason: 'a|b' });
    expect(formatMarkdown(r)).toContain('a\\|b');
  });
});

describe('--lang', () => {
  it('zh names platforms, metrics, columns, statuses and penalty kinds in Chinese; LANG=zh_CN picks it by default', () => {
    const zh = cli(['run', '-p', 'pinduoduo', '--lang', 'zh', 'samples/pinduoduo/chat.csv']).stdout;
    expect(zh).toContain('cs-audit 拼多多');
    expect(zh).toContain('有效回复率 [effective_reply_1h]');
    expect(zh).toContain('│ 日期       │ 计入 │ 达标 │ 待定 │');
    expect(zh).toContain('违约金');
    const byLocale = spawnSync(process.execPath, ['bin/cs-audit.js', 'run', '-p', 'pinduoduo', 'samples/pinduoduo/chat.csv'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, LANG: 'zh_CN.UTF-8', LC_ALL: '' },
    }).stdout;
    expect(byLocale).toContain('未达标');
    const en = cli(['run', '-p', 'pinduoduo', '--lang', 'en', 'samples/pinduoduo/chat.csv']).stdout;
    expect(en).toContain('Pinduoduo 拼多多');
    expect(en).toContain('FAIL');
  });
});
