// The two kinds of failure the toolkit knows: a user's mistake, printed as one line, and
// everything else, which keeps a code and its cause for --debug.

/** A mistake the user can fix: bad flag, missing file, invalid input. Printed as one line, exit 1. */
export class UserError extends Error {
  override readonly name = "UserError";
  /** Print the command's usage after the message (cobra does this for flag/arg mistakes). */
  readonly showUsage: boolean;

  constructor(message: string, options?: { cause?: unknown; showUsage?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.showUsage = options?.showUsage ?? false;
  }
}

export type ErrorCode =
  | "internal"
  | "io"
  | "invalid"
  | "not-found"
  | "unavailable"
  | "permission-denied"
  | "failed-precondition"
  | "canceled"
  | "deadline-exceeded"
  | "unimplemented";

/** Any other failure: keeps a code and the underlying cause. */
export class TalosError extends Error {
  override readonly name = "TalosError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  static from(err: unknown, code: ErrorCode = "internal"): TalosError {
    if (err instanceof TalosError) return err;
    if (err instanceof Error) return new TalosError(code, err.message, { cause: err });
    return new TalosError(code, String(err), { cause: err });
  }
}

/** Joins several errors (e.g. one per node) into one whose message has a line per error. */
export class JoinedError extends Error {
  override readonly name = "JoinedError";
  readonly errors: readonly Error[];

  constructor(errors: readonly Error[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.errors = errors;
  }
}

/**
 * A failure the command has already shown (e.g. in the --wait tracker's display): the
 * process exits 1 without printing it again.
 */
export class ReportedError extends Error {
  override readonly name = "ReportedError";
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
