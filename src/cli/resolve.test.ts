import { describe, expect, it } from "vitest";
import { resolveCommand } from "./resolve.js";

describe("resolveCommand", () => {
  it("finds a nested command and keeps the other words", () => {
    const r = resolveCommand(["config", "add", "prod", "--ca", "ca.crt"]);
    expect(r.path.map((p) => p.name)).toEqual(["config", "add"]);
    expect(r.rest).toEqual(["prod", "--ca", "ca.crt"]);
  });

  it("skips the values of global flags before the command", () => {
    const r = resolveCommand(["-n", "10.5.0.2", "--talosconfig", "tc", "version", "--short"]);
    expect(r.path.map((p) => p.name)).toEqual(["version"]);
    expect(r.rest).toEqual(["-n", "10.5.0.2", "--talosconfig", "tc", "--short"]);
  });

  it("resolves aliases", () => {
    expect(resolveCommand(["mc", "patch"]).path.map((p) => p.name)).toEqual(["machineconfig", "patch"]);
    expect(resolveCommand(["config", "use-context", "x"]).path.map((p) => p.name)).toEqual([
      "config",
      "context",
    ]);
  });

  it("reports the first word that names no subcommand", () => {
    const r = resolveCommand(["config", "frob", "x"]);
    expect(r.unknown).toBe("frob");
    expect(r.path.map((p) => p.name)).toEqual(["config"]);
  });

  it("stops at --", () => {
    const r = resolveCommand(["version", "--", "config"]);
    expect(r.path.map((p) => p.name)).toEqual(["version"]);
    expect(r.rest).toEqual(["--", "config"]);
  });
});
