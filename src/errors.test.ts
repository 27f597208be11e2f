import { describe, expect, it } from "vitest";
import { errorCodeFromGrpc, errorMessage, JoinedError, TalosError, UserError } from "./errors.js";

class ExampleFailure extends TalosError {
  override readonly name = "ExampleFailure";

  constructor(message: string, cause?: unknown) {
    super("failed-precondition", message, { cause });
  }
}

describe("TalosError", () => {
  it("keeps its code, message and cause", () => {
    const cause = new Error("ENOENT: no such file");
    const err = new TalosError("io", "failed to read state", { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe("io");
    expect(err.message).toBe("failed to read state");
    expect(err.cause).toBe(cause);
    expect(err.name).toBe("TalosError");
    expect(String(err)).toBe("TalosError: failed to read state");
  });

  it("has no cause property unless one is given", () => {
    expect("cause" in new TalosError("internal", "x")).toBe(false);
    expect("cause" in new TalosError("internal", "x", { cause: undefined })).toBe(false);
  });

  it("lets subclasses name themselves and stay TalosErrors", () => {
    const err = new ExampleFailure("not yet");
    expect(err).toBeInstanceOf(TalosError);
    expect(err.name).toBe("ExampleFailure");
    expect(err.code).toBe("failed-precondition");
    expect(err.stack?.startsWith("ExampleFailure: not yet")).toBe(true);
  });

  it("from() passes TalosErrors through and wraps anything else with its cause", () => {
    const own = new ExampleFailure("mine");
    expect(TalosError.from(own, "internal")).toBe(own);

    const plain = new RangeError("too big");
    const wrapped = TalosError.from(plain, "out-of-range");
    expect(wrapped.code).toBe("out-of-range");
    expect(wrapped.message).toBe("too big");
    expect(wrapped.cause).toBe(plain);

    const text = TalosError.from("just text");
    expect(text.code).toBe("internal");
    expect(text.message).toBe("just text");
    expect(text.cause).toBe("just text");
  });

  it("keeps a chain of causes to walk", () => {
    const root = new Error("connect ECONNREFUSED 127.0.0.1:50000");
    const middle = new TalosError("unavailable", "dial failed", { cause: root });
    const top = new ExampleFailure("health check failed", middle);
    const chain: string[] = [];
    for (let e: unknown = top; e instanceof Error; e = e.cause) chain.push(e.message);
    expect(chain).toEqual(["health check failed", "dial failed", "connect ECONNREFUSED 127.0.0.1:50000"]);
  });
});

describe("errorCodeFromGrpc", () => {
  it("maps every gRPC status to its code", () => {
    const codes = Array.from({ length: 16 }, (_, i) => errorCodeFromGrpc(i + 1));
    expect(codes).toEqual([
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
    ]);
  });

  it("reads OK and unknown numbers as unknown", () => {
    expect(errorCodeFromGrpc(0)).toBe("unknown");
    expect(errorCodeFromGrpc(17)).toBe("unknown");
    expect(errorCodeFromGrpc(-1)).toBe("unknown");
  });
});

describe("UserError", () => {
  it("is not a TalosError: a user's mistake is its own kind", () => {
    const err = new UserError("bad flag", { showUsage: true });
    expect(err).not.toBeInstanceOf(TalosError);
    expect(err.name).toBe("UserError");
    expect(err.showUsage).toBe(true);
  });
});

describe("errorMessage", () => {
  it("gives an Error's message and any other value as text", () => {
    expect(errorMessage(new TalosError("internal", "boom"))).toBe("boom");
    expect(errorMessage(new JoinedError([new Error("a"), new Error("b")]))).toBe("a\nb");
    expect(errorMessage("plain")).toBe("plain");
    expect(errorMessage(42)).toBe("42");
    expect(errorMessage(undefined)).toBe("undefined");
  });
});
