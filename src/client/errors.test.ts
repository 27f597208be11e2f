import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { TalosError } from "../errors.js";
import {
  connectionFailure,
  FingerprintMismatchError,
  isDialFailure,
  NodeError,
  RpcError,
  toRpcError,
} from "./errors.js";

function nodeError(code: string, extra: Record<string, unknown> = {}, message = code): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

/** What connect-node hands back for a failure below gRPC: the node error as the cause. */
function wrapped(cause: Error, code = Code.Unavailable): ConnectError {
  const err = new ConnectError(cause.message, code);
  err.cause = cause;
  return err;
}

describe("toRpcError", () => {
  it("prints server statuses as Go's status errors", () => {
    expect(toRpcError(new ConnectError("not authorized", Code.PermissionDenied)).message).toBe(
      "rpc error: code = PermissionDenied desc = not authorized",
    );
    const e = toRpcError(new ConnectError("resource x doesn't exist", Code.NotFound));
    expect(e).toBeInstanceOf(RpcError);
    expect(e.grpcCode).toBe(Code.NotFound);
    expect(e.code).toBe("not-found");
    expect(e.description).toBe("resource x doesn't exist");
    expect(e.connectionFailure).toBe(false);
  });

  it("keeps multi-line status messages whole", () => {
    const msg = "1 error occurred:\n\t* machine instructions are required\n\n";
    expect(toRpcError(new ConnectError(msg, Code.InvalidArgument)).message).toBe(
      `rpc error: code = InvalidArgument desc = ${msg}`,
    );
  });

  it("words deadlines and Ctrl+C as Go's context errors", () => {
    expect(toRpcError(new ConnectError("the operation timed out", Code.DeadlineExceeded)).message).toBe(
      "rpc error: code = DeadlineExceeded desc = context deadline exceeded",
    );
    expect(toRpcError(new ConnectError("This operation was aborted", Code.Canceled), true).message).toBe(
      "rpc error: code = Canceled desc = context canceled",
    );
    expect(toRpcError(new ConnectError("stream reset", Code.Canceled), false).message).toBe(
      "rpc error: code = Canceled desc = stream reset",
    );
  });

  it("describes dial failures with the address", () => {
    const refused = toRpcError(
      wrapped(nodeError("ECONNREFUSED", { address: "10.5.0.3", port: 50000, syscall: "connect" })),
    );
    expect(refused.message).toBe(
      'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 10.5.0.3:50000: connect: connection refused"',
    );
    expect(refused.connectionFailure).toBe(true);
    expect(toRpcError(wrapped(nodeError("ENOTFOUND", { hostname: "nosuch.example" }))).message).toContain(
      "dial tcp: lookup nosuch.example: no such host",
    );
    expect(toRpcError(wrapped(nodeError("ECONNREFUSED", { address: "fd00::1", port: 1 }))).message).toContain(
      "dial tcp [fd00::1]:1: connect",
    );
  });

  it("describes TLS failures as handshake failures", () => {
    const e = toRpcError(
      wrapped(
        nodeError(
          "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
          {},
          "error:0A00045C:SSL routines::tlsv13 alert certificate required",
        ),
      ),
    );
    expect(e.message).toBe(
      'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: tlsv13 alert certificate required"',
    );
    expect(
      toRpcError(
        wrapped(nodeError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", {}, "unable to verify the first certificate")),
      ).message,
    ).toContain("authentication handshake failed: tls: unable to verify the first certificate");
    const pin = toRpcError(wrapped(new FingerprintMismatchError("fingerprint X does not match")));
    expect(pin.message).toContain('authentication handshake failed: fingerprint X does not match"');
  });

  it("passes plain errors through as Unknown", () => {
    expect(toRpcError(new Error("boom")).message).toBe("rpc error: code = Unknown desc = boom");
    const already = toRpcError(new Error("x"));
    expect(toRpcError(already)).toBe(already);
  });
});

describe("connectionFailure", () => {
  it("is undefined for statuses the server sent", () => {
    expect(connectionFailure(new ConnectError("no", Code.Unavailable))).toBeUndefined();
    expect(connectionFailure("text")).toBeUndefined();
  });
});

describe("isDialFailure", () => {
  it("is true only when no request can have been written", () => {
    expect(isDialFailure(wrapped(nodeError("ECONNREFUSED")))).toBe(true);
    expect(isDialFailure(wrapped(nodeError("ENOTFOUND")))).toBe(true);
    expect(isDialFailure(wrapped(nodeError("DEPTH_ZERO_SELF_SIGNED_CERT")))).toBe(true);
    expect(isDialFailure(wrapped(new FingerprintMismatchError("x")))).toBe(true);
    expect(isDialFailure(wrapped(nodeError("ECONNRESET")))).toBe(false);
    expect(isDialFailure(new ConnectError("unavailable", Code.Unavailable))).toBe(false);
  });
});

describe("the error model", () => {
  it("gives a failed call the code of its status", () => {
    const denied = toRpcError(new ConnectError("not authorized", Code.PermissionDenied));
    expect(denied).toBeInstanceOf(TalosError);
    expect(denied.code).toBe("permission-denied");
    expect(toRpcError(new Error("boom")).code).toBe("unknown");
    expect(toRpcError(new ConnectError("exists", Code.AlreadyExists)).code).toBe("already-exists");
  });

  it("makes the fingerprint refusal an unavailable TalosError that still reads as a dial failure", () => {
    const pin = new FingerprintMismatchError("fingerprint X does not match");
    expect(pin).toBeInstanceOf(TalosError);
    expect(pin.code).toBe("unavailable");
    expect(pin.name).toBe("FingerprintMismatchError");
    expect(connectionFailure(wrapped(pin))).toBe(
      "transport: authentication handshake failed: fingerprint X does not match",
    );
  });

  it("never reads a TalosError's code as a system error code", () => {
    const own = new TalosError("unavailable", "not a socket error");
    expect(isDialFailure(wrapped(own))).toBe(false);
    expect(connectionFailure(wrapped(own))).toBeUndefined();
    expect(toRpcError(own).message).toBe("rpc error: code = Unknown desc = not a socket error");
  });

  it("gives a node's failure the code of its cause", () => {
    const rpc = toRpcError(new ConnectError("gone", Code.NotFound));
    const failed = new NodeError("10.5.0.2", "error from node 10.5.0.2: gone", { cause: rpc });
    expect(failed.code).toBe("not-found");
    expect(failed.cause).toBe(rpc);
    expect(new NodeError("10.5.0.2", "local").code).toBe("unknown");
    expect(new NodeError("10.5.0.2", "bad", { code: "invalid" }).code).toBe("invalid");
  });
});
