#!/usr/bin/env node
// npm run bench (issue 8): the real CLI on generated logs, against a floor measured in the same
// run (a quote-aware byte scan of the same file). Prints messages/s, MB/s, peak RSS, the ratio
// to the floor and the targets of issue 8. Not a test: numbers depend on the machine.
//   node bench/run.mjs [--sizes 1000000,5000000] [--stages] [--platforms] [--gbk] [--shopless] [--shops N] [--buyer-files] [--unsorted] [--nightly] [--halves] [--folder] [--repeat N]
// --stages, --platforms, --gbk, --shopless, --unsorted, --nightly, --halves and --folder run on the first size;
// --stages times each stage of reading on its own (bench/stages.mjs); --shopless runs the log
// without its shop column (an export of one shop); --shops N runs a month of N shops as one file,
// as a folder per shop, and as those folders fed to a new store (--shop-folders --history);
// --buyer-files runs the first 200 000 rows as Qianniu exports, a JSON file per buyer; --repeat N
// runs each measurement N times (the median time, the highest peak), for a noisy machine. --nightly
// feeds the log a day at a time through --history, as a nightly cron job would, and compares the
// last night's report with one run over every day; --halves feeds it as two large exports
// (--history with --covers, as a large shop's nights are read: once each) and compares the same;
// --folder runs the same days' files in one run.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const say = (text) => process.stdout.write(`${text}\n`);
const DATA = path.join(ROOT, 'bench', 'data');
mkdirSync(DATA, { recursive: true });
const arg = (name) => process.argv.includes(name);
const value = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const sizes = value('--sizes', '1000000,5000000').split(',').map(Number);

function dataFile(messages, order = '') {
  // The name carries the generator version: data made by an older generator is not reused.
  const file = path.join(DATA, `chat-v4-${messages}${order === '' ? '' : `-${order}`}.csv`);
  // order: 'unsorted' (a conversation at a time), or 'shopsN' (N shops).
  const args = order === 'unsorted' ? ['--by-conversation'] : order.startsWith('shops') ? ['--shops', order.slice(5)] : [];
  if (!existsSync(file)) execFileSync(process.execPath, [path.join(ROOT, 'bench/generate.mjs'), String(messages), file, ...args], { stdio: 'inherit' });
  return file;
}

/** What a report decided, without where its rows came from (with several shops, each shop's). */
function verdictOf(file) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const shops = (r.shops ?? []).map((s) => ({ shop: s.shop, metrics: s.metrics, penalties: s.penalties, totals: s.totals, findings: s.findings?.length }));
  return JSON.stringify({ metrics: r.metrics, penalties: r.penalties, totals: r.totals, findings: r.findings?.length, shops });
}

/** The floor: every byte looked at once, quotes respected, rows and fields counted, no strings made. */
function floorScan(file) {
  const started = process.hrtime.bigint();
  const fd = openSync(file, 'r');
  const bytes = Buffer.allocUnsafe(1 << 24);
  let rows = 0;
  let fields = 0;
  let quoted = false;
  for (let n; (n = readSync(fd, bytes, 0, bytes.length, null)) > 0; ) {
    for (let i = 0; i < n; i++) {
      const b = bytes[i];
      if (b === 0x22) quoted = !quoted;
      else if (!quoted) {
        if (b === 0x2c) fields++;
        else if (b === 0x0a) rows++;
      }
    }
  }
  closeSync(fd);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, rows: rows - 1, fields };
}

/** Runs of each measurement (--repeat): the median time and the highest peak are reported. */
const REPEAT = Math.max(1, Number(value('--repeat', '1')));

/** The CLI as a user runs it, REPEAT times: median seconds, highest peak RSS. */
function cli(args) {
  const runs = Array.from({ length: REPEAT }, () => cliOnce(args));
  const seconds = runs.map((r) => r.seconds).sort((a, b) => a - b)[Math.floor((runs.length - 1) / 2)];
  return { seconds, rssMb: Math.max(...runs.map((r) => r.rssMb)) };
}

/** One run, timed, with its peak RSS (GNU time). */
function cliOnce(args) {
  const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', ['-f', '%e %M']] : null;
  const started = process.hrtime.bigint();
  const r = time
    ? spawnSync(time[0], [...time[1], process.execPath, path.join(ROOT, 'bin/cs-audit.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, [path.join(ROOT, 'bin/cs-audit.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`cs-audit ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const rssKb = time ? Number(last.split(' ')[1]) : NaN;
  return { seconds, rssMb: rssKb / 1024 };
}

const line = (label, messages, bytes, t, floor) =>
  `${label.padEnd(28)} ${(messages / t.seconds / 1e6).toFixed(3)} M msgs/s  ${(bytes / 1e6 / t.seconds).toFixed(1)} MB/s  ` +
  `${t.seconds.toFixed(2)} s  peak ${Number.isNaN(t.rssMb) ? '?' : t.rssMb.toFixed(0)} MB` +
  (floor ? `  ${(t.seconds / floor.seconds).toFixed(1)}× the floor` : '');

/** The log's rows by local day (its time column's first ten characters), one file a day, made once. */
async function dayFiles(file, messages) {
  const dir = path.join(DATA, `nightly-v4-${messages}`);
  await splitRows(file, dir, (record) => `${record[1].slice(0, 10)}.csv`);
  return readdirSync(dir).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(dir, f));
}

/** The log's rows by shop (its third column), a folder per shop, made once: the folder. */
async function shopFolders(file, dir) {
  await splitRows(file, dir, (record) => path.join(record[2], 'chat.csv'));
  return dir;
}

/** `file`'s records into files under `dir` (`where` names each record's, below dir), each with the header; made once. */
async function splitRows(file, dir, where) {
  if (!existsSync(path.join(dir, 'done'))) {
    mkdirSync(dir, { recursive: true });
    const { parse } = await import('csv-parse');
    const start = Buffer.alloc(4096);
    const fd = openSync(file, 'r');
    const got = readSync(fd, start, 0, start.length, 0);
    closeSync(fd);
    const header = start.subarray(0, got).toString('utf8').split('\n')[0] + '\n';
    const files = new Map();
    // raw: each record's own text (quoted newlines and all), written out as it was.
    for await (const { record, raw } of createReadStream(file).pipe(parse({ raw: true, from_line: 2, relax_column_count: true }))) {
      const name = where(record);
      if (!files.has(name)) files.set(name, []);
      files.get(name).push(raw.endsWith('\n') ? raw : `${raw}\n`);
    }
    for (const [name, rows] of files) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), header + rows.join(''));
    }
    writeFileSync(path.join(dir, 'done'), '');
  }
}

/** A CSV field as the generator quotes it. */
const cell = (v) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/**
 * The first `limit` rows' text messages of buyers and agents (not recalled), as Qianniu page
 * exports (PROFILES.md qianniu-json: a file per buyer, the buyer's own messages sent by the
 * buyer's name, the shop's by its account), and the same messages as one CSV file that says no
 * more than they do (no shop, id, or account on a buyer's row); made once.
 */
async function buyerFiles(file, messages, limit) {
  const dir = path.join(DATA, `buyers-v4-${messages}`);
  const csv = path.join(DATA, `buyers-v4-${messages}.csv`);
  if (!existsSync(path.join(DATA, `buyers-v4-${messages}.done`))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const { parse } = await import('csv-parse');
    const byBuyer = new Map();
    const kept = [];
    let n = 0;
    for await (const record of createReadStream(file).pipe(parse({ relax_column_count: true, from_line: 2 }))) {
      if (n++ >= limit) break;
      const [, time, , buyer, sender, agent, type, content, recalled] = record;
      if ((sender !== 'buyer' && sender !== 'agent') || type !== 'text' || recalled !== '') continue;
      kept.push([time, buyer, sender, sender === 'agent' ? agent : '', content]);
      if (!byBuyer.has(buyer)) byBuyer.set(buyer, []);
      byBuyer.get(buyer).push({ date: time.slice(0, 10), time: time.slice(11), sender: sender === 'buyer' ? buyer : agent, text: content });
    }
    let k = 0;
    for (const [buyer, chats] of byBuyer) writeFileSync(path.join(dir, `${k++}.json`), JSON.stringify({ user: buyer, exportTime: '2026/11/1 10:00:00', count: chats.length, chats }));
    writeFileSync(csv, [['time', 'buyer', 'sender', 'agent', 'content'], ...kept].map((r) => r.map(cell).join(',')).join('\n') + '\n');
    writeFileSync(path.join(DATA, `buyers-v4-${messages}.done`), '');
  }
  return { dir, csv };
}

/** `file` without its column `name`, written to `out` (quoted as the generator quotes). */
async function withoutColumn(file, name, out) {
  const { parse } = await import('csv-parse');
  const stream = createWriteStream(out);
  let drop = -1;
  for await (const record of createReadStream(file).pipe(parse({ relax_column_count: true }))) {
    if (drop === -1) drop = record.indexOf(name);
    record.splice(drop, 1);
    if (!stream.write(`${record.map(cell).join(',')}\n`)) await new Promise((r) => stream.once('drain', r));
  }
  await new Promise((r) => stream.end(r));
}

/** A month of nightly --history runs, a day each: the first and last nights, the store, the last report against one run. */
async function nightly(file, messages) {
  const days = await dayFiles(file, messages);
  const store = path.join(DATA, `nightly-${messages}.sqlite`);
  rmSync(store, { force: true });
  const last = path.join(DATA, `report-${messages}-nightly.json`);
  const nights = [];
  for (const day of days) nights.push(cliOnce(['run', '--platform', 'tmall', '--format', 'json', '--history', store, '--out', last, '--quiet', day]));
  const first = path.basename(days[0], '.csv');
  const end = path.basename(days.at(-1), '.csv');
  const one = path.join(DATA, `report-${messages}-covers.json`);
  cliOnce(['run', '--platform', 'tmall', '--format', 'json', '--covers', `${first}..${end}`, '--out', one, '--quiet', file]);
  const same = verdictOf(last) === verdictOf(one);
  const median = [...nights].sort((a, b) => a.seconds - b.seconds)[Math.floor(nights.length / 2)];
  const mb = (t) => (Number.isNaN(t.rssMb) ? '?' : t.rssMb.toFixed(0));
  say(
    `${'tmall, nightly --history'.padEnd(28)} ${nights.length} nights of ${Math.round(messages / nights.length).toLocaleString('en')} msgs: ` +
      `first ${nights[0].seconds.toFixed(2)} s (peak ${mb(nights[0])} MB), median ${median.seconds.toFixed(2)} s, ` +
      `last ${nights.at(-1).seconds.toFixed(2)} s (peak ${mb(nights.at(-1))} MB); store ${(statSync(store).size / 1e6).toFixed(0)} MB; ` +
      `last report ${same ? 'the same as one run' : 'DIFFERS from one run'} over ${first}..${end}`,
  );
}

/** The month as two large exports (its days' files joined: the first half, the rest), fed with --history --covers. */
async function halves(file, messages) {
  const days = await dayFiles(file, messages);
  const cut = Math.ceil(days.length / 2);
  const parts = [days.slice(0, cut), days.slice(cut)].map((group, k) => {
    const out = path.join(DATA, `halves-v4-${messages}-${k + 1}.csv`);
    if (!existsSync(out)) {
      const texts = group.map((day) => readFileSync(day, 'utf8'));
      writeFileSync(out, texts[0] + texts.slice(1).map((t) => t.slice(t.indexOf('\n') + 1)).join(''));
    }
    return { file: out, from: path.basename(group[0], '.csv'), to: path.basename(group.at(-1), '.csv') };
  });
  const store = path.join(DATA, `halves-${messages}.sqlite`);
  rmSync(store, { force: true });
  const last = path.join(DATA, `report-${messages}-halves.json`);
  const runs = parts.map((p) => cliOnce(['run', '--platform', 'tmall', '--format', 'json', '--history', store, '--covers', `${p.from}..${p.to}`, '--out', last, '--quiet', p.file]));
  const one = path.join(DATA, `report-${messages}-covers-halves.json`);
  cliOnce(['run', '--platform', 'tmall', '--format', 'json', '--covers', `${parts[0].from}..${parts[1].to}`, '--out', one, '--quiet', file]);
  const same = verdictOf(last) === verdictOf(one);
  const mb = (t) => (Number.isNaN(t.rssMb) ? '?' : t.rssMb.toFixed(0));
  say(
    `${'tmall, 2 exports --history'.padEnd(28)} ${parts.map((p, k) => `${p.from}..${p.to} ${runs[k].seconds.toFixed(2)} s (peak ${mb(runs[k])} MB)`).join(', ')}; ` +
      `last report ${same ? 'the same as one run' : 'DIFFERS from one run'} over ${parts[0].from}..${parts[1].to}`,
  );
}

say(`cs-audit bench · node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · ${(os.totalmem() / 2 ** 30).toFixed(1)} GB`);
const results = {};
for (const messages of sizes) {
  const file = dataFile(messages);
  const bytes = statSync(file).size;
  const floor = floorScan(file);
  say(`\n${messages.toLocaleString('en')} messages, ${(bytes / 1e6).toFixed(0)} MB`);
  say(`${'floor (quote-aware scan)'.padEnd(28)} ${(floor.rows / floor.seconds / 1e6).toFixed(3)} M rows/s  ${(bytes / 1e6 / floor.seconds).toFixed(1)} MB/s  ${floor.seconds.toFixed(2)} s`);
  const report = path.join(DATA, `report-${messages}.json`);
  const t = cli(['run', '--platform', 'tmall', '--format', 'json', '--out', report, '--quiet', file]);
  results[messages] = t;
  say(line('tmall --format json', messages, bytes, t, floor));
  if (arg('--stages') && messages === sizes[0]) {
    // Each stage of reading on its own, in a fresh process (bench/stages.mjs), against the run.
    const { STAGES } = await import('./stages.mjs');
    for (const [stage, label] of Object.entries(STAGES)) {
      const got = JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'bench/stages.mjs'), stage, file], { encoding: 'utf8' }));
      const extra = stage === 'reference' ? `  (${got.rounds.toLocaleString('en')} rounds, ${got.answered.toLocaleString('en')} within 180 s)` : '';
      say(`  ${label.padEnd(40)} ${got.seconds.toFixed(2)} s  ${((got.seconds / messages) * 1e6).toFixed(2)} µs/msg  ${(got.seconds / t.seconds).toFixed(2)}× the run${extra}`);
    }
  }
  if (arg('--shopless') && messages === sizes[0]) {
    // The same rows without the shop column (an export of one shop, as many are): rows that name
    // no shop are the shop of their main:sub accounts. Made once, field by field (csv-parse).
    const shopless = path.join(DATA, `chat-v4-${messages}-shopless.csv`);
    if (!existsSync(shopless)) await withoutColumn(file, 'shop', shopless);
    const shoplessReport = path.join(DATA, `report-${messages}-shopless.json`);
    const n = cli(['run', '--platform', 'tmall', '--format', 'json', '--out', shoplessReport, '--quiet', shopless]);
    const same = verdictOf(shoplessReport) === verdictOf(report);
    say(`${line('tmall, no shop column', messages, statSync(shopless).size, n, floor)}  ${(n.seconds / t.seconds).toFixed(2)}× with it  report ${same ? 'the same' : 'DIFFERS'}`);
  }
  if (arg('--unsorted') && messages === sizes[0]) {
    // The same rows grouped by conversation: detected as unsorted, sorted in runs spilled to disk.
    const unsorted = dataFile(messages, 'unsorted');
    const unsortedReport = path.join(DATA, `report-${messages}-unsorted.json`);
    const u = cli(['run', '--platform', 'tmall', '--format', 'json', '--out', unsortedReport, '--quiet', unsorted]);
    const same = verdictOf(unsortedReport) === verdictOf(report);
    say(`${line('tmall, unsorted input', messages, bytes, u, floor)}  ${(u.seconds / t.seconds).toFixed(2)}× sorted  report ${same ? 'the same' : 'DIFFERS'}`);
  }
  if (arg('--platforms') && messages === sizes[0]) {
    for (const platform of ['pinduoduo', 'taojiji', 'xiaohongshu', 'suning', 'kuaishou']) {
      const p = cli(['run', '--platform', platform, '--format', 'json', '--out', '/dev/null', '--quiet', file]);
      say(`${line(platform, messages, bytes, p, floor)}  ${(p.seconds / t.seconds).toFixed(2)}× tmall`);
    }
  }
  if (arg('--nightly') && messages === sizes[0]) await nightly(file, messages);
  if (arg('--halves') && messages === sizes[0]) await halves(file, messages);
  if (arg('--folder') && messages === sizes[0]) {
    // The same rows as a folder of daily exports, in one run.
    const days = await dayFiles(file, messages);
    const folderReport = path.join(DATA, `report-${messages}-folder.json`);
    const f = cli(['run', '--platform', 'tmall', '--format', 'json', '--out', folderReport, '--quiet', ...days]);
    const same = verdictOf(folderReport) === verdictOf(report);
    say(`${line(`tmall, ${days.length} daily files`, messages, bytes, f, floor)}  ${(f.seconds / t.seconds).toFixed(2)}× one file  report ${same ? 'the same' : 'DIFFERS'}`);
  }
  if (value('--shops', null) !== null && messages === sizes[0]) {
    // The month of N shops: one file, then a folder per shop (as outsourcing teams keep them), then
    // those folders as a nightly run feeds them (--shop-folders --history --covers, a new store).
    const n = Number(value('--shops', '20'));
    const many = dataFile(messages, `shops${n}`);
    const manyBytes = statSync(many).size;
    const folders = await shopFolders(many, path.join(DATA, `shops${n}-v4-${messages}`));
    const oneReport = path.join(DATA, `report-${messages}-shops${n}.json`);
    const a = cli(['run', '--platform', 'tmall', '--format', 'json', '--out', oneReport, '--quiet', many]);
    say(line(`tmall, ${n} shops, one file`, messages, manyBytes, a, null));
    const foldersReport = path.join(DATA, `report-${messages}-shops${n}-folders.json`);
    const b = cli(['run', '--platform', 'tmall', '--format', 'json', '--out', foldersReport, '--quiet', folders]);
    say(`${line(`tmall, a folder per shop`, messages, manyBytes, b, null)}  ${(b.seconds / a.seconds).toFixed(2)}× one file  report ${verdictOf(foldersReport) === verdictOf(oneReport) ? 'the same' : 'DIFFERS'}`);
    const store = path.join(DATA, `shops${n}-${messages}.sqlite`);
    rmSync(store, { force: true });
    const { from, to } = JSON.parse(readFileSync(oneReport, 'utf8')).period;
    const nightlyReport = path.join(DATA, `report-${messages}-shops${n}-history.json`);
    const c = cli(['run', '--platform', 'tmall', '--format', 'json', '--out', nightlyReport, '--quiet', '--shop-folders', '--history', store, '--covers', `${from}..${to}`, folders]);
    say(`${line(`  --shop-folders --history`, messages, manyBytes, c, null)}  ${(c.seconds / a.seconds).toFixed(2)}× one file  report ${verdictOf(nightlyReport) === verdictOf(oneReport) ? 'the same' : 'DIFFERS'}`);
  }
  if (arg('--buyer-files') && messages === sizes[0]) {
    // The log's first 200 000 rows' typed messages of buyers and agents as Qianniu exports (a JSON
    // file per buyer, as its page exports them), against the same rows in one CSV file.
    const { dir, csv } = await buyerFiles(file, messages, 200_000);
    const count = readdirSync(dir).length;
    const rows = readFileSync(csv, 'utf8').split('\n').length - 2;
    const csvReport = path.join(DATA, `report-${messages}-buyers-csv.json`);
    const c = cli(['run', '--platform', 'tmall', '--format', 'json', '--out', csvReport, '--quiet', csv]);
    say(line('tmall, those rows in one CSV', rows, statSync(csv).size, c, null));
    const jsonReport = path.join(DATA, `report-${messages}-buyers.json`);
    const j = cli(['run', '--platform', 'tmall', '--format', 'json', '--out', jsonReport, '--quiet', dir]);
    say(`${line(`tmall, ${count} buyer files`, rows, statSync(csv).size, j, null)}  ${(j.seconds / c.seconds).toFixed(1)}× the CSV  report ${verdictOf(jsonReport) === verdictOf(csvReport) ? 'the same' : 'DIFFERS'}`);
  }
  if (arg('--gbk') && messages === sizes[0]) {
    const gbk = path.join(DATA, `chat-v4-${messages}-gbk.csv`);
    if (!existsSync(gbk)) {
      const { default: iconv } = await import('iconv-lite');
      writeFileSync(gbk, iconv.encode(readFileSync(file, 'utf8'), 'gb18030'));
    }
    say(line('tmall, GBK input', messages, statSync(gbk).size, cli(['run', '--platform', 'tmall', '--format', 'json', '--out', '/dev/null', '--quiet', gbk]), null));
  }
}

say('\nTargets (issue 8)');
const first = results[sizes[0]];
for (const messages of sizes) {
  const t = results[messages];
  say(`  ${messages.toLocaleString('en')}: ${(messages / t.seconds / 1e6).toFixed(3)} M msgs/s (target ≥ 2.4 at 5 M), peak ${t.rssMb.toFixed(0)} MB (target ≤ 200)`);
}
for (let i = 1; i < sizes.length; i++) {
  // Issue 8: 20 M within 4.4× the time of 5 M; peak RSS from 1 M to 20 M within 1.5×.
  const [a, b] = [sizes[i - 1], sizes[i]];
  say(`  ${b / a}× the messages (${a.toLocaleString('en')} → ${b.toLocaleString('en')}): ${(results[b].seconds / results[a].seconds).toFixed(2)}× the time, peak RSS ${(results[b].rssMb / results[a].rssMb).toFixed(2)}×`);
}
if (sizes.length > 1) {
  const last = sizes.at(-1);
  say(`  peak RSS ${sizes[0].toLocaleString('en')} → ${last.toLocaleString('en')}: ${(results[last].rssMb / first.rssMb).toFixed(2)}× (target ≤ 1.5× from 1 M to 20 M)`);
}
