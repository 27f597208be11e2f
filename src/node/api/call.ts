// What the API server tells the rest of the node about a call: the caller a handler serves,
// and the parts of a grpc-js server call that authentication and routing look at. Kept apart
// from the server so that routing and authentication need not import it.
import type * as grpc from "@grpc/grpc-js";

/** Who is calling, as the node sees it. */
export interface Caller {
  readonly roles: readonly string[];
  readonly peer: string;
  readonly metadata: grpc.Metadata;
  /** Aborted when the client cancels or the deadline passes. */
  readonly signal: AbortSignal;
}

/** What every kind of server call offers (grpc-js does not export its own name for it). */
export type SurfaceCall = Pick<
  grpc.ServerUnaryCall<Buffer, Buffer>,
  "getPeer" | "getAuthContext" | "metadata" | "cancelled"
> & {
  once(event: "cancelled", listener: () => void): unknown;
};
