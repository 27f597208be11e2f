// The node's one error with a gRPC status. Handlers, the router, the authenticator and the
// cluster controller throw it to answer a call with a status code and Talos's message; the API
// server sends its code and message as the call's status. Anything else a handler throws
// reaches the client as Unknown with the error's message, as a Go server's plain errors do.
import type * as grpc from "@grpc/grpc-js";
import { TalosError } from "../errors.js";
import { errorCodeOf } from "../wire/index.js";

/** A failure that answers a call with a gRPC status (the message is the status's details). */
export class StatusError extends TalosError {
  readonly grpcCode: grpc.status;

  constructor(grpcCode: grpc.status, message: string, options?: { cause?: unknown }) {
    super(errorCodeOf(grpcCode), message, options);
    this.grpcCode = grpcCode;
  }
}
