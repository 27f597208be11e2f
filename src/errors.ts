// The two kinds of failure the toolkit knows: a user's mistake, printed as one line, and
// everything else, which keeps a code and its cause for --debug.

/** A mistake the user can fix: bad flag, missing file, invalid input. Printed as one line, exit 1. */
export class UserError extends Error {
  override readonly name: string = "UserError";
  /** Print the command's usage after the message (cobra does this for flag/arg mistakes). */
  readonly showUsage: boolean;

  constructor(message: string, options?: { cause?: unknown; showUsage?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.showUsage = options?.showUsage ?? false;
  }
}

/**
 * What kind of failure a TalosError is: the gRPC status codes (as connect-es names them), so
 * a failure maps onto a status without loss, plus `io` for local file failures.
 */
export type ErrorCode =
  | "canceled"
  | "unknown"
  | "invalid"
  | "deadline-exceeded"
  | "not-found"
  | "already-exists"
  | "permission-denied"
  | "resource-exhausted"
  | "failed-precondition"
  | "aborted"
  | "out-of-range"
  | "unimplemented"
  | "internal"
  | "unavailable"
  | "data-loss"
  | "unauthenticated"
  | "io";

/** The codes by gRPC status number (1 = CANCELLED ... 16 = UNAUTHENTICATED; 0 is OK). */
const BY_GRPC_STATUS: readonly (ErrorCode | undefined)[] = [
  undefined,
  "canceled",
  "unknown",
  "invalid",
  "deadline-exceeded",
  "not-found",
  "already-exists",
  "permission-denied",
  "resource-exhausted",
  "failed-precondition",
  "aborted",
  "out-of-range",
  "unimplemented",
  "internal",
  "unavailable",
  "data-loss",
  "unauthenticated",
];

/** The code of a gRPC status number; numbers outside the table (and OK) read as `unknown`. */
export function errorCodeFromGrpc(status: number): ErrorCode {
  return BY_GRPC_STATUS[status] ?? "unknown";
}

/**
 * Any other failure: keeps a code and the underlying cause. The library's own error classes
 * extend it (naming themselves), so a caller can tell them apart with `instanceof` and still
 * handle every failure by its code.
 */
export class TalosError extends Error {
  override readonly name: string = "TalosError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  /** `err` itself when it is a TalosError; otherwise a TalosError with its message and `err` as the cause. */
  static from(err: unknown, code: ErrorCode = "internal"): TalosError {
    if (err instanceof TalosError) return err;
    return new TalosError(code, errorMessage(err), { cause: err });
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

/** The text of anything thrown: an Error's message, or the value as a string. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
