import { Code } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { errorCodeOf, goCodeName, goStatusString } from "./grpc-status.js";

const GO_NAMES = [
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

describe("goCodeName", () => {
  it("names every connect code as Go does", () => {
    const names = Object.values(Code)
      .filter((v): v is Code => typeof v === "number")
      .map(goCodeName);
    expect(names).toEqual(GO_NAMES);
  });

  it("names grpc-js's codes alike (the two libraries number them the same)", () => {
    expect(goCodeName(grpc.status.OK)).toBe("OK");
    expect(goCodeName(grpc.status.PERMISSION_DENIED)).toBe("PermissionDenied");
    expect(goCodeName(grpc.status.UNAUTHENTICATED)).toBe("Unauthenticated");
    expect(goCodeName(42)).toBe("Code(42)");
  });
});

describe("goStatusString", () => {
  it("prints a status as a Go client does", () => {
    expect(goStatusString(grpc.status.UNAVAILABLE, "no")).toBe("rpc error: code = Unavailable desc = no");
  });
});

describe("errorCodeOf", () => {
  it("maps every status onto its own error code, and unknown numbers to unknown", () => {
    expect(errorCodeOf(Code.PermissionDenied)).toBe("permission-denied");
    expect(errorCodeOf(grpc.status.FAILED_PRECONDITION)).toBe("failed-precondition");
    expect(errorCodeOf(Code.Unavailable)).toBe("unavailable");
    expect(errorCodeOf(Code.AlreadyExists)).toBe("already-exists");
    expect(errorCodeOf(Code.Internal)).toBe("internal");
    expect(errorCodeOf(42)).toBe("unknown");
  });
});
