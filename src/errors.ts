/** A problem with the command line, a rule pack or an input file: nothing is audited, exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** An input that the system would not let be read: "NAME: cannot read (EACCES)". */
export function cannotRead(name: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  return new InputError(`${name}: cannot read (${code ?? (err instanceof Error ? err.message : String(err))})`);
}

/** An error the system gave (an errno code such as EACCES or ENOSPC), as against a bug of ours or Node's ERR_ codes. */
export function systemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && !(err instanceof InputError) && /^E[A-Z0-9]+$/.test(String((err as NodeJS.ErrnoException).code));
}

/** A bad row under --strict. */
export class StrictError extends InputError {}
