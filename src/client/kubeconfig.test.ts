import { describe, expect, it } from "vitest";
import { encodeKubeconfig, mergeKubeconfig, parseKubeconfig } from "./kubeconfig.js";

const incoming = () =>
  parseKubeconfig(
    [
      "clusters: [{name: c, cluster: {server: https://1.2.3.4:6443}}]",
      "users: [{name: admin@c, user: {token: new}}]",
      "contexts: [{name: admin@c, context: {cluster: c, user: admin@c}}]",
      "current-context: admin@c",
    ].join("\n"),
    "incoming",
  );

describe("mergeKubeconfig", () => {
  it("adds new entries and makes the incoming context current", async () => {
    const into = parseKubeconfig(
      "clusters: [{name: other, cluster: {server: https://x}}]\ncurrent-context: other",
      "f",
    );
    await mergeKubeconfig(into, incoming(), { force: false });
    expect(into.clusters.map((c) => c.name)).toEqual(["other", "c"]);
    expect(into["current-context"]).toBe("admin@c");
  });

  it("writes what client-go writes: yaml.v2 at two spaces, keys sorted, entries sorted by name", async () => {
    const into = parseKubeconfig(
      "clusters: [{name: other, cluster: {server: https://x, certificate-authority-data: Q0E=}}]\ncurrent-context: other",
      "f",
    );
    await mergeKubeconfig(into, incoming(), { force: false });
    expect(encodeKubeconfig(into)).toBe(
      [
        "apiVersion: v1",
        "clusters:",
        "- cluster:",
        "    server: https://1.2.3.4:6443",
        "  name: c",
        "- cluster:",
        "    certificate-authority-data: Q0E=",
        "    server: https://x",
        "  name: other",
        "contexts:",
        "- context:",
        "    cluster: c",
        "    user: admin@c",
        "  name: admin@c",
        "current-context: admin@c",
        "kind: Config",
        "preferences: {}",
        "users:",
        "- name: admin@c",
        "  user:",
        "    token: new",
        "",
      ].join("\n"),
    );
  });

  it("keeps identical entries, renames clashing ones and points the context at the renamed ones", async () => {
    const into = incoming();
    const changed = incoming();
    (changed.users[0]!.user as { token: string }).token = "other";
    const renames: string[] = [];
    await mergeKubeconfig(into, changed, { force: false, onRename: (l) => renames.push(l) });
    expect(renames).toEqual([
      'renamed auth info "admin@c" -> "admin@c-1"',
      'renamed context "admin@c" -> "admin@c-1"',
    ]);
    expect(into.clusters).toHaveLength(1);
    const ctx = into.contexts.find((c) => c.name === "admin@c-1")!;
    expect(ctx.context).toEqual({ cluster: "c", user: "admin@c-1" });
    expect(into["current-context"]).toBe("admin@c-1");
  });

  it("overwrites clashes with force, and names the context when asked", async () => {
    const into = incoming();
    const changed = incoming();
    (changed.users[0]!.user as { token: string }).token = "other";
    await mergeKubeconfig(into, changed, { force: true, contextName: "mine" });
    expect(into.users).toEqual([{ name: "admin@c", user: { token: "other" } }]);
    expect(into["current-context"]).toBe("mine");
  });

  it("names the file when it is not a kubeconfig", () => {
    expect(() => parseKubeconfig("clusters: 3", "/tmp/k")).toThrow(
      "/tmp/k: clusters must be a list of named entries",
    );
    expect(() => parseKubeconfig("a: [", "/tmp/k")).toThrow("/tmp/k: invalid YAML");
  });
});
