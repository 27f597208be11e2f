import { describe, expect, it } from "vitest";
import { JoinedError, UserError } from "../errors.js";
import { NodeError, RpcError } from "./errors.js";
import { fanOut, throwIfAnyFailed } from "./fanout.js";

/** A node's simulated latency: the subject of these tests, which compare orders, not times. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fanOut", () => {
  it("reports results in completion order and keeps concurrency within the bound", async () => {
    let inFlight = 0;
    let peak = 0;
    const delays: Record<string, number> = { a: 40, b: 5, c: 20, d: 1, e: 10 };
    const seen: string[] = [];
    const results = await fanOut(
      Object.keys(delays),
      async (node) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await sleep(delays[node]!);
        inFlight--;
        return node.toUpperCase();
      },
      { concurrency: 2, onResult: (r) => void seen.push(r.node) },
    );
    expect(peak).toBe(2);
    expect(seen).toEqual(results.map((r) => r.node));
    expect(seen[0]).toBe("b");
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it("runs one node after another in the given order with concurrency 1", async () => {
    const order: string[] = [];
    await fanOut(
      ["z", "a", "m"],
      async (n) => {
        order.push(n);
        await sleep(n === "z" ? 20 : 1);
      },
      { concurrency: 1 },
    );
    expect(order).toEqual(["z", "a", "m"]);
  });

  it("does not interleave a slow report with the next one", async () => {
    const log: string[] = [];
    await fanOut(["a", "b"], async (n) => n, {
      onResult: async (r) => {
        log.push(`start ${r.node}`);
        await sleep(10);
        log.push(`end ${r.node}`);
      },
    });
    expect(log).toEqual(["start a", "end a", "start b", "end b"]);
  });

  it("turns failures into per-node errors without stopping the others", async () => {
    const results = await fanOut(["ok", "bad", "user", "node"], async (n) => {
      if (n === "bad") throw new Error("kaput");
      if (n === "user") throw new UserError("your fault");
      if (n === "node") throw new NodeError(n, "node: own words");
      return 1;
    });
    const byNode = new Map(results.map((r) => [r.node, r]));
    expect(byNode.get("ok")?.ok).toBe(true);
    const bad = byNode.get("bad");
    expect(bad?.ok === false && bad.error).toBeInstanceOf(RpcError);
    const user = byNode.get("user");
    expect(user?.ok === false && user.error.message).toBe("your fault");
    expect(() => throwIfAnyFailed(results)).toThrow(JoinedError);
    try {
      throwIfAnyFailed(results);
    } catch (err) {
      const lines = (err as Error).message.split("\n").sort();
      expect(lines).toEqual([
        "error from node bad: rpc error: code = Unknown desc = kaput",
        "error from node user: your fault",
        "node: own words",
      ]);
    }
  });

  it("stops starting calls once aborted", async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const results = await fanOut(
      ["a", "b", "c"],
      async (n) => {
        started.push(n);
        controller.abort();
      },
      { concurrency: 1, signal: controller.signal },
    );
    expect(started).toEqual(["a"]);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? "" : r.error.message))).toEqual([
      "rpc error: code = Canceled desc = context canceled",
      "rpc error: code = Canceled desc = context canceled",
    ]);
  });

  it("uses the command's own wording when given", () => {
    expect(() =>
      throwIfAnyFailed(
        [{ node: "n1", ok: false, error: new Error("x") }],
        (n, e) => `${n}: error applying configuration: ${e.message}`,
      ),
    ).toThrow("n1: error applying configuration: x");
    expect(() => throwIfAnyFailed([{ node: "n1", ok: true, value: 1 }])).not.toThrow();
  });
});
