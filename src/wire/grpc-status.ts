// gRPC status codes as Go's grpc package names them (`code = PermissionDenied`), and the
// project's error code each maps to. Both the client's errors and the node's statuses (and
// the node's forwarder, which words a failed hop the way apid does) speak these.
import { type ErrorCode, errorCodeFromGrpc } from "../errors.js";

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

/** The project's error code for a gRPC status code. */
export const errorCodeOf: (code: number) => ErrorCode = errorCodeFromGrpc;

/** `rpc error: code = <Code> desc = <details>`, as a Go client prints a failed call's status. */
export function goStatusString(code: number, details: string): string {
  return `rpc error: code = ${goCodeName(code)} desc = ${details}`;
}
