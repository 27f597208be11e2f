import { describe, expect, it } from "vitest";
import { createCheckReporter } from "./reporter.js";

function stream(isTTY: boolean) {
  let text = "";
  const write = (c: string): boolean => {
    text += c;
    return true;
  };
  return { isTTY, write, text: () => text };
}

describe("check reporter", () => {
  it("prints one plain line per update when not on a terminal", () => {
    const out = stream(false);
    const r = createCheckReporter(out);
    r.line('discovered nodes: ["10.5.0.2"]');
    r.update({ check: "etcd to be healthy", status: "running" });
    r.update({ check: "etcd to be healthy", status: "failing", error: "not yet" });
    r.update({ check: "etcd to be healthy", status: "ok" });
    r.stop();
    expect(out.text()).toBe(
      [
        'discovered nodes: ["10.5.0.2"]',
        "waiting for etcd to be healthy: ...",
        "waiting for etcd to be healthy: not yet",
        "waiting for etcd to be healthy: OK",
        "",
      ].join("\n"),
    );
  });

  it("redraws the running check in place on a terminal and ends it with its outcome", () => {
    const out = stream(true);
    const r = createCheckReporter(out);
    r.update({ check: "etcd to be healthy", status: "running" });
    r.update({ check: "etcd to be healthy", status: "failing", error: "not yet" });
    r.update({ check: "etcd to be healthy", status: "ok" });
    r.update({ check: "all nodes disk sizes", status: "skip" });
    r.stop();
    const text = out.text();
    expect(text.split("\r\x1b[K").length).toBeGreaterThan(3);
    expect(text).toContain("\x1b[33mwaiting for etcd to be healthy: not yet\x1b[0m");
    expect(text).toContain("\x1b[32m✓\x1b[0m waiting for etcd to be healthy: OK\n");
    expect(text.endsWith("- waiting for all nodes disk sizes: SKIP\n")).toBe(true);
  });
});
