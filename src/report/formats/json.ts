import type { Report } from '../model.js';

/** REPORT.md's contract, as is: `JSON.stringify(report, null, 2)` and a newline. */
export function formatJson(report: Report): string {
  return [...jsonChunks(report)].join('');
}

/**
 * The same text in pieces: each element of a top-level array (a report's `shops`) is made and
 * written on its own. Issue 8: a night of 500 shops is a 92 MB report, which as one string (two
 * bytes a character once a Chinese name is in it) and its bytes for the write doubled the run's
 * peak. JSON.stringify escapes newlines in strings, so indenting a piece is adding spaces after
 * each of its newlines.
 */
export function* jsonChunks(report: Report): Generator<string> {
  let first = true;
  const next = (key: string) => {
    const head = `${first ? '{' : ','}\n  ${JSON.stringify(key)}: `;
    first = false;
    return head;
  };
  for (const [key, value] of Object.entries(report)) {
    if (Array.isArray(value) && value.length > 0) {
      yield next(key);
      for (let i = 0; i < value.length; i++) {
        // (An element JSON has no text for, e.g. undefined, is null in an array.)
        yield `${i === 0 ? '[' : ','}\n    ${indented(JSON.stringify(value[i], null, 2) ?? 'null', '    ')}`;
      }
      yield '\n  ]';
      continue;
    }
    const text = JSON.stringify(value, null, 2);
    // (A property JSON has no text for is left out.)
    if (text !== undefined) yield `${next(key)}${indented(text, '  ')}`;
  }
  yield first ? '{}\n' : '\n}\n';
}

function indented(text: string, pad: string): string {
  return text.replaceAll('\n', `\n${pad}`);
}
