/**
 * Thrown by a command that has already printed what it had to say and only needs a particular exit
 * code (1 when part of the work failed, 130 after Ctrl-C): `main` returns the code and prints nothing.
 */
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** A failure worth one clear line (`switchyard: <message>`), exit code 1. */
export class CliError extends Error {}
