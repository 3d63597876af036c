/** A problem with the command line, a rule pack or an input file: nothing is audited, exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** A bad row under --strict. */
export class StrictError extends InputError {}
