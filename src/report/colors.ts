import { Chalk, supportsColor } from 'chalk';

export interface Palette {
  enabled: boolean;
  pass(s: string): string;
  fail(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/**
 * The one place colour is decided: off when NO_COLOR is set (https://no-color.org), when the
 * stream is not a terminal, or when chalk finds no colour support; FORCE_COLOR turns it on.
 */
export function paletteFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Palette {
  let level: 0 | 1 | 2 | 3 = 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') level = 0;
  else if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') {
    level = supportsColor ? supportsColor.level : 1;
    if (level === 0) level = 1;
  } else if (stream.isTTY === true && supportsColor) level = supportsColor.level;
  const chalk = new Chalk({ level });
  return {
    enabled: level > 0,
    pass: (s) => chalk.green(s),
    fail: (s) => chalk.red.bold(s),
    warn: (s) => chalk.yellow(s),
    dim: (s) => chalk.dim(s),
    bold: (s) => chalk.bold(s),
  };
}

export const PLAIN: Palette = {
  enabled: false,
  pass: (s) => s,
  fail: (s) => s,
  warn: (s) => s,
  dim: (s) => s,
  bold: (s) => s,
};
