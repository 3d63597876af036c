// Issue 7: conduct findings through the real CLI — in every format with the matched text,
// --no-conduct, and a user's own words and allowed domains through their rule pack.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(path.join(tmpdir(), 'cs-audit-conduct-'));
const SAMPLE = 'samples/conduct/chat.csv';

function cli(args: string[]): { exitCode: number; stdout: string; stderr: string } {
  const env = { ...process.env, LANG: 'C.UTF-8', LC_ALL: '' } as Record<string, string>;
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, ['bin/cs-audit.js', ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { exitCode: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('conduct findings in every format', () => {
  it.each(['table', 'json', 'csv', 'markdown', 'html'])('%s shows the findings with the matched text', (format) => {
    const r = cli(['run', '--platform', 'pinduoduo', '--format', format, SAMPLE]);
    expect(r.exitCode, r.stderr).toBe(0);
    for (const matched of ['https://shop.weidian.com/item/8823', '138-0013-8000', '6222021234567890128', '脑残', '验证码发给我']) {
      expect(r.stdout, `${format}: ${matched}`).toContain(matched);
    }
  });

  it('the table counts findings per agent and marks the penalized ones', () => {
    const r = cli(['run', '--platform', 'pinduoduo', SAMPLE]);
    expect(r.stdout).toContain('Conduct findings: 15 (4 penalized)');
    // 小王: link, phone, WeChat, payment, card, code request, unanswered run = 7;
    // 小李: e-mail, QR code, impatience ×2, insult, threat, night contact ×2 = 8.
    expect(r.stdout).toMatch(/好物优选店:小王\s*│\s*7\s*│/);
    expect(r.stdout).toMatch(/好物优选店:小李\s*│\s*8\s*│/);
  });

  it('--format csv --details lists each finding as an item of the appeal pack', () => {
    const r = cli(['run', '--platform', 'pinduoduo', '--format', 'csv', '--details', SAMPLE]);
    expect(r.stdout).toContain('conduct:bank_card,2026-11-02,finding,b_pay,好物优选店:小王');
  });

  it('--no-conduct turns the findings and their penalties off', () => {
    const r = JSON.parse(cli(['run', '--platform', 'pinduoduo', '--format', 'json', '--no-conduct', SAMPLE]).stdout) as Report;
    expect(r.findings).toBeUndefined();
    expect(r.shops[0]!.findings).toBeUndefined();
    expect(r.penalties.filter((p) => p.metric === 'conduct')).toEqual([]);
  });

  it('--mask-buyers masks the buyer of a finding too', () => {
    const r = JSON.parse(cli(['run', '--platform', 'pinduoduo', '--format', 'json', '--mask-buyers', SAMPLE]).stdout) as Report;
    expect(r.findings!.some((f) => f.buyer.startsWith('b_'))).toBe(false);
  });
});

describe("a user's own words and allowed domains, through their rule pack (--rules)", () => {
  it('adds lexicon words and allows the shop\'s own site', () => {
    const pack = JSON.parse(readFileSync(path.join(ROOT, 'platforms/pinduoduo.json'), 'utf8')) as {
      conduct: { allowed_domains: { value: string[] }; lexicon?: { abusive?: string[] } };
    };
    pack.conduct.allowed_domains.value.push('weidian.com');
    pack.conduct.lexicon = { abusive: ['看不懂吗'] };
    const file = path.join(tmp, 'my-pack.json');
    writeFileSync(file, JSON.stringify(pack));
    const r = JSON.parse(cli(['run', '--rules', file, '--format', 'json', SAMPLE]).stdout) as Report;
    expect(r.findings!.filter((f) => f.detector === 'off_platform_link')).toEqual([]);
    expect(r.findings!.find((f) => f.detector === 'abusive_language')!.matched).toBe('脑残 | 看不懂吗');
  });

  it('a penalty naming an unknown detector is an invalid pack', () => {
    const pack = JSON.parse(readFileSync(path.join(ROOT, 'platforms/pinduoduo.json'), 'utf8')) as { conduct: { penalties: { detector: string }[] } };
    pack.conduct.penalties[0]!.detector = 'rudeness';
    const file = path.join(tmp, 'bad-pack.json');
    writeFileSync(file, JSON.stringify(pack));
    const r = cli(['run', '--rules', file, SAMPLE]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('conduct.penalties[0].detector: unknown detector "rudeness"');
  });
});
