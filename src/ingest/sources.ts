import { closeSync, openSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import type yauzl from 'yauzl';
import { cannotRead, InputError, systemError } from '../errors.js';
import { loadOnUse } from '../load-on-use.js';
import { detectBufferEncoding, detectFileEncoding, iconv, toUtf8, type Encoding, type Transcoder } from './encoding.js';

const zipReader = loadOnUse<typeof yauzl>('yauzl');

/**
 * One input to read, already UTF-8: a file on disk (possibly a transcoded copy) or bytes in memory
 * (standard input, a zip entry). `name` is what messages show: the path as given, `<stdin>`, or
 * `archive.zip:entry`.
 */
export interface InputSource {
  name: string;
  path: string | null;
  data: Buffer | null;
  /** The encoding the input was written in. */
  encoding: Encoding;
  /** --shop-folders: the shop of rows that name none (the first-level folder the file sits in). */
  shop?: string;
}

export interface SourceOptions {
  stdin: Readable;
  /** Forced encoding (--encoding); detected per file otherwise. */
  encoding: Encoding | null;
  transcoder: Transcoder;
  /** --shop-folders: each first-level folder of a directory (or zip) argument is one shop. */
  shopFolders?: boolean;
}

/** File name endings read from directories and archives. */
const READABLE = /\.(csv|tsv|tab|txt|json|ndjson|jsonl)$/i;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

function inMemory(name: string, raw: Buffer, options: SourceOptions): InputSource {
  const encoding = options.encoding ?? detectBufferEncoding(raw, name);
  return { name, path: null, data: toUtf8(raw, encoding), encoding };
}

async function fromFile(file: string, name: string, options: SourceOptions): Promise<InputSource> {
  let encoding: Encoding;
  try {
    // Detecting the encoding reads the file's start; a given encoding still needs it readable.
    if (options.encoding === null) encoding = await detectFileEncoding(file, name);
    else {
      closeSync(openSync(file, 'r'));
      encoding = options.encoding;
    }
  } catch (err) {
    // A file listed but not readable (no permission, EACCES; a disk error) is the input's fault, not ours.
    throw systemError(err) ? cannotRead(name, err) : err;
  }
  // (Not in the catch: the copy's own errors, e.g. a full temporary disk, are not the input's.)
  const readable = encoding === 'utf-8' ? file : await options.transcoder.toUtf8File(file, encoding);
  return { name, path: readable, data: null, encoding };
}

/**
 * Every readable file below a directory, in name order (so runs are repeatable). Links are
 * followed; hidden files (e.g. macOS `._name.csv` metadata) are not logs and are passed over. A
 * folder or log that cannot be read is an input error.
 */
async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const listed = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => {
    throw systemError(err) ? cannotRead(dir, err) : err;
  });
  const entries = listed.filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    // The entry says what it is, but for a link (a stat each was most of a folder of 58 000 files' listing).
    const log = READABLE.test(entry.name) || /\.zip$/i.test(entry.name);
    // A link to nothing named as a log (its file moved, a disk not mounted) is a log not read: an error, not a silence.
    const info = entry.isSymbolicLink()
      ? await stat(full).catch((err: unknown) => {
          if (log && systemError(err)) throw cannotRead(full, err);
          return null;
        })
      : entry;
    if (info === null) continue;
    if (info.isDirectory()) out.push(...(await walk(full)));
    else if (info.isFile() && log) out.push(full);
  }
  return out;
}

function openZip(file: string | Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip?: yauzl.ZipFile) => (err ? reject(err) : resolve(zip!));
    if (typeof file === 'string') zipReader().open(file, { lazyEntries: true, decodeStrings: false }, done);
    else zipReader().fromBuffer(file, { lazyEntries: true, decodeStrings: false }, done);
  });
}

/** Entry names: UTF-8 when flagged or valid, else GBK (archives made on Chinese Windows). */
function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  if (typeof raw === 'string') return raw;
  return (entry.generalPurposeBitFlag & 0x800) !== 0 || isUtf8(raw) ? raw.toString('utf8') : iconv().decode(raw, 'gb18030');
}

/** The readable entries of a zip archive, each read into memory, in archive order. */
async function zipEntries(file: string | Buffer, name: string, options: SourceOptions): Promise<InputSource[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch (err) {
    throw new InputError(`${name}: not a readable zip archive (${(err as Error).message})`);
  }
  const out: InputSource[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      const fileName = entryName(entry);
      const base = fileName.split('/').pop() ?? '';
      const nested = /\.zip$/i.test(fileName);
      if (fileName.endsWith('/') || base.startsWith('.') || fileName.includes('__MACOSX/') || !(READABLE.test(fileName) || nested)) {
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        readAll(stream)
          .then(async (raw) => {
            if (nested) out.push(...(await zipEntries(raw, `${name}:${fileName}`, options)));
            else out.push(inMemory(`${name}:${fileName}`, raw, options));
            zip.readEntry();
          })
          .catch(reject);
      });
    });
    zip.readEntry();
  }).catch((err: unknown) => {
    if (err instanceof InputError) throw err;
    throw new InputError(`${name}: cannot read the zip archive (${(err as Error).message})`);
  });
  if (out.length === 0) throw new InputError(`${name}: no CSV, TSV, TXT or JSON entries in this zip archive`);
  return out;
}

/**
 * Turn command-line arguments into sources: `-` (standard input, read once), files, directories
 * (read recursively) and zip archives (read without unpacking). Each is decoded to UTF-8.
 */
export async function resolveSources(args: readonly string[], options: SourceOptions): Promise<InputSource[]> {
  const out: InputSource[] = [];
  // One file given twice (or a directory and a file in it) is two inputs: tell them apart. A name
  // counts for itself and for what comes before each " (#" in it (a name told apart before);
  // counted as names are taken, not by looking through all of them (a folder of 58 000 files).
  const taken = new Map<string, number>();
  const named = (source: InputSource): InputSource => {
    const same = taken.get(source.name) ?? 0;
    const chosen = same === 0 ? source : { ...source, name: `${source.name} (#${same + 1})` };
    const name = chosen.name;
    taken.set(name, (taken.get(name) ?? 0) + 1);
    for (let at = name.indexOf(' (#'); at >= 0; at = name.indexOf(' (#', at + 1)) taken.set(name.slice(0, at), (taken.get(name.slice(0, at)) ?? 0) + 1);
    return chosen;
  };
  for (const arg of args) {
    if (arg === '-') {
      out.push(named(inMemory('<stdin>', await readAll(options.stdin), options)));
      continue;
    }
    let info;
    try {
      info = await stat(arg);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw code === 'ENOENT' ? new InputError(`${arg}: no such file`) : cannotRead(arg, err);
    }
    if (!info.isDirectory() && !info.isFile()) {
      // A pipe (a shell's <(zcat log.csv.gz)) or a device can be read once, from its start: in memory, as standard input.
      let data: Buffer;
      try {
        data = await readFile(arg);
      } catch (err) {
        throw cannotRead(arg, err);
      }
      out.push(named(inMemory(arg, data, options)));
      continue;
    }
    const files = info.isDirectory() ? await walk(arg) : [arg];
    if (info.isDirectory() && files.length === 0) throw new InputError(`${arg}: no CSV, JSON or zip files in this directory`);
    for (const file of files) {
      const folder = options.shopFolders === true && info.isDirectory() ? firstFolder(path.relative(arg, file)) : null;
      const sources = /\.zip$/i.test(file) ? await zipEntries(file, file, options) : [await fromFile(file, file, options)];
      for (const s of sources) {
        // A zip given as the argument holds its shops as its own first-level folders.
        const shop = folder ?? (options.shopFolders === true && !info.isDirectory() ? zipFolder(s.name, file) : null);
        out.push(named(shop === null ? s : { ...s, shop }));
      }
    }
  }
  return out;
}

/** The first folder of a relative path, or null for a file at the top. */
function firstFolder(relative: string): string | null {
  const parts = relative.split(path.sep);
  return parts.length > 1 ? parts[0]! : null;
}

/** The first folder inside an archive of an entry named `archive.zip:folder/…`, or null. */
function zipFolder(name: string, archive: string): string | null {
  if (!name.startsWith(`${archive}:`)) return null;
  const parts = name.slice(archive.length + 1).split('/');
  return parts.length > 1 ? parts[0]! : null;
}
