// gRPC status codes as Go's grpc package names them (`code = PermissionDenied`), and the
// project's error code each maps to. Both the client's errors and the node's statuses (and
// the node's forwarder, which words a failed hop the way apid does) speak these.
import type { ErrorCode } from "../errors.js";

/** gRPC status names as Go prints them, by code number (grpc-js and connect use the same numbers). */
const GO_CODE_NAMES: readonly string[] = [
  "OK",
  "Canceled",
  "Unknown",
  "InvalidArgument",
  "DeadlineExceeded",
  "NotFound",
  "AlreadyExists",
  "PermissionDenied",
  "ResourceExhausted",
  "FailedPrecondition",
  "Aborted",
  "OutOfRange",
  "Unimplemented",
  "Internal",
  "Unavailable",
  "DataLoss",
  "Unauthenticated",
];

/** Go's name of a gRPC status code; an unknown code reads `Code(N)`, as Go prints it. */
export function goCodeName(code: number): string {
  return GO_CODE_NAMES[code] ?? `Code(${code})`;
}

const ERROR_CODES: Readonly<Record<number, ErrorCode>> = {
  1: "canceled",
  3: "invalid",
  4: "deadline-exceeded",
  5: "not-found",
  7: "permission-denied",
  9: "failed-precondition",
  12: "unimplemented",
  14: "unavailable",
};

/** The project's error code for a gRPC status code (`internal` for those without their own). */
export function errorCodeOf(code: number): ErrorCode {
  return ERROR_CODES[code] ?? "internal";
}

/** `rpc error: code = <Code> desc = <details>`, as a Go client prints a failed call's status. */
export function goStatusString(code: number, details: string): string {
  return `rpc error: code = ${goCodeName(code)} desc = ${details}`;
}
