// Review findings on real exports (issue 4), each a small fixture with its expected reading.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { Transcoder } from '../../src/ingest/encoding.js';
import { auditFiles } from '../helpers/audit.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-edge-'));
let n = 0;
function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, `${n++}-${name}`);
  writeFileSync(p, content);
  return p;
}
async function zipOf(entries: [string, Buffer | string][], names?: 'gbk'): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) {
    const options = names === 'gbk' ? { forceZip64Format: false } : {};
    zip.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name, options);
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
const identity = (f: { rows: number; used?: number; excluded?: Record<string, number>; bad_rows: number }) =>
  f.rows === (f.used ?? 0) + Object.values(f.excluded ?? {}).reduce((a, b) => a + b, 0) + f.bad_rows;

describe('--map with profiles', () => {
  it('a Chinese header with one column named by --map still reads as zh-csv', async () => {
    const p = file('zh-map.csv', '日期,买家,发送方,内容\n2026-11-02 10:00:00,小王,买家,在吗\n2026-11-02 10:01:00,小王,客服,在的\n');
    const r = await auditFiles([p], { headerMap: new Map([['日期', 'time']]) });
    expect(r.input.files[0]).toMatchObject({ profile: 'zh-csv', messages: 2, bad_rows: 0 });
  });

  it('--map is applied once: swapping two columns works', async () => {
    const p = file('swap.csv', 'time,buyer,sender,role\n2026-11-02 10:00:00,b1,shop:a,buyer\n2026-11-02 10:01:00,b1,shop:a,agent\n');
    const r = await auditFiles([p], { headerMap: new Map([['role', 'sender'], ['sender', 'agent']]) });
    expect(r.input).toMatchObject({ messages: 2, bad_rows: 0 });
    expect(r.metrics[0]!.unit === 'round' && r.metrics[0]!.total).toMatchObject({ eligible: 1, passed: 1 });
  });

  it('--map renames JSON keys for any profile; JSON with Chinese keys reads as zh-csv', async () => {
    const xd = file('xd.json', JSON.stringify([{ buyer_nick: 'b1', snick: 's:a', source: 0, time: '2026-11-02 02:00:00', content: 'x' }]));
    const r1 = await auditFiles([xd], { headerMap: new Map([['buyer_nick', 'cnick']]) });
    expect(r1.input.files[0]).toMatchObject({ profile: 'xiaoduo', messages: 1 });
    const zh = file('zh.json', JSON.stringify([{ 时间: '2026-11-02 10:00:00', 买家: '小王', 发送方: '买家', 内容: '在吗' }]));
    expect((await auditFiles([zh])).input.files[0]).toMatchObject({ profile: 'zh-csv', messages: 1, bad_rows: 0 });
  });
});

describe('profile details', () => {
  it('a PDD recall notice naming the message in info.msg_id recalls it', async () => {
    const push = (type: number, content: string, msgId: string, info?: object) =>
      JSON.stringify({ message: { content, from: { role: 'user', uid: '1' }, to: { role: 'mall_cs', uid: '9', mall_id: '9' }, msg_id: msgId, ts: '1762048800', type, ...(info ? { info } : {}) }, response: 'push' });
    const p = file('pdd.json', `[${push(0, '我要退款', '1747284411074')},${push(1002, '对方撤回了一条消息', '1747284411999', { msg_id: '1747284411074' })}]`);
    const r = await auditFiles([p], { platform: 'pinduoduo' });
    expect(r.input.files[0]!.excluded).toEqual({ recalled: 1, 'type:system': 1 });
  });

  it('a PDD capture that opens with a handshake is still read as pdd-json (the handshake is a bad row)', async () => {
    const push = JSON.stringify({ message: { content: 'x', from: { role: 'user', uid: '1' }, to: { role: 'mall_cs', uid: '9' }, msg_id: '5', ts: '1762048800', type: 0 }, response: 'push' });
    const p = file('capture.ndjson', `${JSON.stringify({ response: 'auth', result: 'ok' })}\n${push}\n`);
    const r = await auditFiles([p], { platform: 'pinduoduo' });
    expect(r.input.files[0]).toMatchObject({ profile: 'pdd-json', messages: 1, bad_rows: 1 });
  });

  it('empty exports have no rows and stop nothing', async () => {
    const qn = file('qn.json', JSON.stringify({ user: 'jerry', count: 0, chats: [] }));
    const jd = file('jd.json', JSON.stringify({ resp: { chatLogPage: { chatLogList: [] } } }));
    const msgs = file('m.json', JSON.stringify({ messages: [] }));
    const ok = file('ok.csv', 'time,buyer,sender\n2026-11-02 10:00:00,b1,buyer\n');
    const r = await auditFiles([qn, jd, msgs, ok]);
    expect(r.input.files.map((f) => f.rows)).toEqual([0, 0, 0, 1]);
  });

  it('qianniu pages of two shops stay two shops; a reply from the main account names the shop', async () => {
    const folder = path.join(dir, 'qn-shops');
    mkdirSync(folder);
    const page = (user: string, shopSide: string) =>
      JSON.stringify({ user, chats: [{ date: '2026-11-02', time: '10:00:00', sender: user, text: '在吗' }, { date: '2026-11-02', time: '10:01:00', sender: shopSide, text: '在的' }] });
    writeFileSync(path.join(folder, 'a.json'), page('tom', '店A:阿强'));
    writeFileSync(path.join(folder, 'b.json'), page('jerry', '店B'));
    const r = await auditFiles([folder]);
    expect(r.shops.map((s) => s.shop)).toEqual(['店A', '店B']);
    for (const s of r.shops) expect(s.metrics[0]!.unit === 'round' && s.metrics[0]!.total).toMatchObject({ eligible: 1, passed: 1 });
  });

  it('xiaoduo: a zero date in any zone or a null means not recalled', async () => {
    const rows = ['1970-01-01 00:00:00.000', '\\N', '1970-01-01T00:00:00.000Z', '1970-01-01 08:00:00.000', '2026-11-02 02:00:05.000'].map(
      (w, i) => `b${i},s:a,s,0,q,,2026-11-02 02:00:00.000,False,False,${w},id${i}`,
    );
    const p = file('xd.csv', ['cnick,snick,seller_nick,source,content,content_type,time,auto_send,is_transfer,withdraw_ms_time,_id', ...rows].join('\n'));
    const r = await auditFiles([p]);
    expect(r.input.files[0]!.excluded).toEqual({ recalled: 1 });
  });
});

describe('files, directories and archives', () => {
  it('the same file given twice is two inputs with their own accounting', async () => {
    const p = file('base.csv', 'time,buyer,sender,id\n2026-11-02 10:00:00,b1,buyer,m1\n2026-11-02 10:01:00,b2,buyer,m2\n');
    const r = await auditFiles([p, p]);
    expect(r.input.files.map((f) => [f.file, f.used, f.excluded])).toEqual([
      [p, 2, {}],
      [`${p} (#2)`, 0, { duplicate: 2 }],
    ]);
    expect(r.input.files.every(identity)).toBe(true);
  });

  it('a pipe given as a file (a shell\'s <(zcat log.csv.gz)) is read once, whole, as standard input is', async () => {
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // The real CLI in a process of its own, with a time limit: a file read a second time would
    // wait on the pipe for ever. The writer blocks until the pipe is opened for reading.
    const writer = spawn('sh', ['-c', `printf 'time,buyer,sender\\n2026-11-02 10:00:00,b1,buyer\\n2026-11-02 10:01:00,b1,agent\\n' > '${fifo}'`]);
    try {
      const run = spawnSync(process.execPath, [path.resolve('bin/cs-audit.js'), 'run', '--platform', 'tmall', '--format', 'json', fifo], { encoding: 'utf8', timeout: 15_000 });
      expect(run.status).toBe(0);
      const r = JSON.parse(run.stdout) as { input: { files: { file: string; rows: number; used: number }[] } };
      expect(r.input.files.map((f) => [f.file, f.rows, f.used])).toEqual([[fifo, 2, 2]]);
    } finally {
      writer.kill();
    }
  }, 20_000);

  it('a socket given as a file cannot be read: an input error naming it', async () => {
    const socket = path.join(dir, 'socket');
    const server = createServer().listen(socket);
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      await expect(auditFiles([socket])).rejects.toThrow(`${socket}: cannot read (ENXIO)`);
    } finally {
      server.close();
    }
  });

  it('a file or folder without read permission is an input error naming it, not an internal error (with --encoding too)', (ctx) => {
    if (process.getuid === undefined) return ctx.skip();
    const root = process.getuid() === 0;
    // As root, who reads anything, the CLI runs as nobody, who must reach the CLI and the place to be refused the file.
    const others = (p: string): boolean => path.dirname(p) === p || ((statSync(p).mode & 0o005) === 0o005 && others(path.dirname(p)));
    if (root && (!others(path.resolve('node_modules/commander')) || !path.basename(tmpdir()).startsWith('cs-audit-tests-'))) return ctx.skip();
    const place = path.join(dir, 'locked');
    mkdirSync(place);
    if (root) for (const d of [tmpdir(), dir, place]) chmodSync(d, 0o755);
    const files = path.join(place, 'files');
    mkdirSync(files, 0o755);
    writeFileSync(path.join(files, 'a.csv'), 'time,buyer,sender\n2026-11-02 09:00:00,b0,buyer\n');
    const locked = path.join(files, 'locked.csv');
    writeFileSync(locked, 'time,buyer,sender\n2026-11-02 10:00:00,b1,buyer\n');
    chmodSync(locked, 0o000);
    const lockedFolder = path.join(place, 'shut');
    mkdirSync(lockedFolder, 0o000);
    const run = (args: string[]) =>
      spawnSync(process.execPath, [path.resolve('bin/cs-audit.js'), ...args], {
        encoding: 'utf8',
        timeout: 15_000,
        ...(root ? { uid: 65534, gid: 65534 } : {}),
      });
    for (const [args, named] of [
      [['run', '--platform', 'tmall', locked], locked],
      [['run', '--platform', 'tmall', '--encoding', 'utf-8', locked], locked],
      [['run', '--platform', 'tmall', '--encoding', 'gbk', locked], locked],
      [['explain', '--platform', 'tmall', '--buyer', 'b1', '--encoding', 'utf-8', locked], locked],
      [['run', '--platform', 'tmall', files], locked],
      [['run', '--platform', 'tmall', lockedFolder], lockedFolder],
      [['run', '--platform', 'tmall', place], lockedFolder],
    ] as const) {
      const r = run([...args]);
      expect(r.stderr).not.toContain('internal error');
      expect(r.stderr).toContain(`${named}: cannot read (EACCES)`);
      expect(r.status).toBe(2);
    }
    chmodSync(locked, 0o644);
    chmodSync(lockedFolder, 0o755);
  });

  it('a link to nothing in a folder: an error naming it when it is named as a log, passed over when not', async () => {
    const folder = path.join(dir, 'broken-links');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'a.csv'), 'time,buyer,sender\n2026-11-02 10:00:00,b1,buyer\n');
    symlinkSync(path.join(dir, 'moved-away'), path.join(folder, 'notes'));
    expect((await auditFiles([folder])).input.files.map((f) => path.basename(f.file))).toEqual(['a.csv']);
    const gone = path.join(folder, 'gone.csv');
    symlinkSync(path.join(dir, 'moved-away.csv'), gone);
    await expect(auditFiles([folder])).rejects.toThrow(`${gone}: cannot read (ENOENT)`);
  });

  it('a GBK file that cannot be read while it is copied is an error naming it, not the temporary folder', async () => {
    const gone = path.join(dir, 'gone-gbk.csv');
    const transcoder = new Transcoder();
    try {
      await expect(transcoder.toUtf8File(gone, 'gbk')).rejects.toThrow(`${gone}: cannot read (ENOENT)`);
      await expect(transcoder.toUtf8File(gone, 'utf-16le')).rejects.toThrow(`${gone}: cannot read (ENOENT)`);
    } finally {
      await transcoder.dispose();
    }
  });

  it('--out on a device that is full (ENOSPC) says it cannot write there, exit 2', () => {
    if (!existsSync('/dev/full')) return;
    const r = spawnSync(process.execPath, [path.resolve('bin/cs-audit.js'), 'run', '--platform', 'tmall', '--format', 'json', '--out', '/dev/full', path.resolve('samples/tmall/chat-2026-11.csv')], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toContain('cannot write /dev/full: ENOSPC');
    expect(r.stderr).not.toContain('internal error');
    expect(r.status).toBe(2);
  });

  it('a GBK file whose UTF-8 copy cannot be made (no temporary folder) is an error naming the folder, not the input', () => {
    const gbk = file('gbk.csv', iconv.encode('time,buyer,sender,content\n2026-11-02 10:00:00,小王,buyer,在吗\n', 'gbk'));
    const missing = path.join(dir, 'no-such-folder');
    const r = spawnSync(process.execPath, [path.resolve('bin/cs-audit.js'), 'run', '--platform', 'tmall', gbk], {
      encoding: 'utf8',
      timeout: 15_000,
      env: { ...process.env, TMPDIR: missing },
    });
    expect(r.stderr).toContain(`${gbk}: cannot make its UTF-8 copy in ${missing} (ENOENT)`);
    expect(r.stderr).not.toContain('internal error');
    expect(r.status).toBe(2);
  });

  it('a file given three times, with another between, is three inputs told apart', async () => {
    const p = file('thrice.csv', 'time,buyer,sender,id\n2026-11-02 10:00:00,b1,buyer,m1\n');
    const other = file('other.csv', 'time,buyer,sender,id\n2026-11-02 10:05:00,b2,buyer,m2\n');
    const r = await auditFiles([p, other, p, p]);
    expect(r.input.files.map((f) => f.file)).toEqual([p, other, `${p} (#2)`, `${p} (#3)`]);
  });

  it('an empty zip, or one without logs, is an error naming it; nested zips and GBK entry names are read', async () => {
    const empty = file('empty.zip', await zipOf([]));
    const nolog = file('nolog.zip', await zipOf([['readme.md', 'x']]));
    await expect(auditFiles([empty])).rejects.toThrow(`${empty}: no CSV, TSV, TXT or JSON entries in this zip archive`);
    await expect(auditFiles([nolog])).rejects.toThrow('no CSV, TSV, TXT or JSON entries');
    const inner = await zipOf([['a.csv', 'time,buyer,sender\n2026-11-02 10:00:00,b1,buyer\n']]);
    const outer = file('outer.zip', await zipOf([['inner.zip', inner]]));
    expect((await auditFiles([outer])).input.files.map((f) => f.file)).toEqual([`${outer}:inner.zip:a.csv`]);
  });

  it('directories pass over hidden files (macOS ._ metadata) and follow links', async () => {
    const folder = path.join(dir, 'exports');
    mkdirSync(folder);
    const real = file('real.csv', 'time,buyer,sender\n2026-11-02 10:00:00,b1,buyer\n');
    writeFileSync(path.join(folder, '._a.csv'), Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]));
    symlinkSync(real, path.join(folder, 'link.csv'));
    const r = await auditFiles([folder]);
    expect(r.input.files.map((f) => path.basename(f.file))).toEqual(['link.csv']);
  });

  it('the separator comes from the first line that is not blank', async () => {
    const p = file('blank.tsv', iconv.encode('\r\ntime\tbuyer\tsender\r\n2026-11-02 10:00:00\tb1\tbuyer\r\n', 'utf-8'));
    expect((await auditFiles([p])).input).toMatchObject({ messages: 1, bad_rows: 0 });
  });
});
