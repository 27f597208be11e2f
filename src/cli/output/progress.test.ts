import { afterEach, describe, expect, it, vi } from "vitest";
import type { OutputStream } from "../context.js";
import { createProgress, REDRAW_INTERVAL_MS } from "./progress.js";

function sink(isTTY: boolean, columns = 80): OutputStream & { text: string } {
  const s = {
    text: "",
    isTTY,
    columns,
    write(chunk: string | Uint8Array) {
      s.text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      return true;
    },
  };
  return s;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("progress display", () => {
  it("prints one line per change when stderr is not a terminal, skipping repeats and transient updates", () => {
    const stderr = sink(false);
    const stdout = sink(false);
    const p = createProgress({ stderr, stdout, nodes: ["b", "a"], mode: "auto", json: false });
    p.update({ node: "a", state: "running", message: "actor ID: x" });
    p.update({ node: "a", state: "running", message: "actor ID: x" });
    p.update({ node: "b", state: "running", message: "layer 1: 5/10", transient: true });
    p.update({ node: "b", state: "failed", message: "error:\tboom\nsecond" });
    p.update({ node: "a", state: "running", message: "pulled image x", step: true });
    p.close();
    // The tracker's lines quote the node as Go's %q does; the command's own steps do not.
    expect(stderr.text).toBe('"a": actor ID: x\n"b": error:    boom second\na: pulled image x\n');
    expect(stdout.text).toBe("");
  });

  it("writes NDJSON on stdout with -o json", () => {
    const stderr = sink(true);
    const stdout = sink(false);
    const now = () => new Date("2026-01-02T03:04:05.000Z");
    const p = createProgress({ stderr, stdout, nodes: ["a"], mode: "auto", json: true, now });
    p.update({ node: "a", state: "succeeded", message: "post check passed" });
    p.close();
    expect(stderr.text).toBe("");
    expect(JSON.parse(stdout.text)).toEqual({
      node: "a",
      state: "succeeded",
      message: "post check passed",
      time: "2026-01-02T03:04:05.000Z",
    });
  });

  it("re-prints the whole block on change with --progress plain on a terminal", () => {
    const stderr = sink(true);
    const p = createProgress({
      stderr,
      stdout: sink(false),
      nodes: ["n2", "n1"],
      mode: "plain",
      json: false,
    });
    p.update({ node: "n1", state: "running", message: "waiting for actor ID" });
    p.update({ node: "n1", state: "running", message: "waiting for actor ID" });
    p.close();
    expect(stderr.text).toBe("watching nodes: [n1 n2]\n    * n1: waiting for actor ID\n    * n2: \n");
    expect(stderr.text).not.toContain("\x1b[");
  });

  it("redraws in place on a terminal, erasing exactly the previous frame's lines", () => {
    vi.useFakeTimers();
    const stderr = sink(true, 30);
    const p = createProgress({ stderr, stdout: sink(false), nodes: ["10.5.0.2"], mode: "auto", json: false });
    p.update({ node: "10.5.0.2", state: "running", message: "a message long enough to wrap once" });
    vi.advanceTimersByTime(REDRAW_INTERVAL_MS);
    const first = stderr.text;
    expect(first.startsWith("\x1b[33m")).toBe(true);
    expect(first).toMatch(/[◰◳◲◱] watching nodes: \[10\.5\.0\.2\]/u);
    vi.advanceTimersByTime(REDRAW_INTERVAL_MS);
    const second = stderr.text.slice(first.length);
    // Lines are cut to the width, so the frame is two rows: the header and the node.
    expect(second.startsWith("\x1b[1A\x1b[2K".repeat(2))).toBe(true);
    expect(second.startsWith("\x1b[1A\x1b[2K".repeat(3))).toBe(false);
    expect(second).toContain("    * 10.5.0.2: a message lo…");
    p.update({ node: "10.5.0.2", state: "succeeded", message: "post check passed" });
    p.close();
    const last = stderr.text.slice(first.length + second.length);
    expect(last.startsWith("\x1b[1A\x1b[2K".repeat(2))).toBe(true);
    expect(last).toContain("\x1b[32mwatching nodes: [10.5.0.2]\n    * 10.5.0.2: post check passed\x1b[0m\n");
  });

  it("counts a terminal that reports no width as 80 columns", () => {
    vi.useFakeTimers();
    const stderr = sink(true, 0);
    const p = createProgress({ stderr, stdout: sink(false), nodes: ["n"], mode: "auto", json: false });
    p.update({ node: "n", state: "running", message: "x".repeat(100) });
    vi.advanceTimersByTime(REDRAW_INTERVAL_MS);
    expect(stderr.text).toContain(`    * n: ${"x".repeat(78 - 9)}…`);
    p.close();
    const before = stderr.text.length;
    vi.advanceTimersByTime(REDRAW_INTERVAL_MS * 5);
    expect(stderr.text.length).toBe(before);
  });
});
