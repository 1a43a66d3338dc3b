/**
 * The CLI's exit codes and the error that carries one. Every failure the user can fix ends the
 * process with exit code 2 and one line on stderr naming what to fix; only a difference found
 * by `diff` exits 1.
 */

/** Exit codes, as documented in `--help`, README.md and docs/cli.md. */
export const ExitCode = {
  /** Done; for `diff`: every declared member was compared and none differs from the live API. */
  OK: 0,
  /** `diff` only: a declared member differs from the live one, or could not be compared. */
  DIFFERENCES: 1,
  /** Bad input, no credentials or region, a service error, an unreadable cloud assembly... */
  ERROR: 2,
} as const;

/** A failure to report as one line on stderr, ending the process with exit code 2. */
export class CliError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** A wrong command line: reported with a pointer to the subcommand's `--help`. */
export class UsageError extends CliError {
  public constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flattens a message to one line (service messages may hold newlines). */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
