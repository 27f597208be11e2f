// list and usage against a real configured talos-node, with Talos's walker semantics on the
// node's emulated root filesystem (depth counted in path separators, filtered directories still
// entered, symlink roots resolved; du's order with the total last), and the hidden commands old
// scripts still call, which answer with talosctl's deprecation errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConfiguredNode, startConfiguredNode } from "./helpers/cluster.js";

let c: ConfiguredNode;

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

function rows(text: string): string[][] {
  return lines(text).map((l) => l.split(/ {3,}/));
}

beforeAll(async () => {
  c = await startConfiguredNode({ args: ["--time-scale", "50"] });
});

afterAll(async () => {
  await c?.stop();
});

describe("list --depth", () => {
  it("lists only the root's entries for a depth of 1, 0 or less", async () => {
    const one = lines((await c.talosctl(["ls", "/var"])).stdout);
    expect(one[0]).toBe(".");
    expect(one).toEqual(expect.arrayContaining(["lib", "log", "run", "mnt"]));
    for (const depth of ["0", "-1", "-5"]) {
      const r = await c.talosctl(["ls", "-d", depth, "/var"]);
      expect(r.code, r.stderr).toBe(0);
      expect(lines(r.stdout)).toEqual(one);
    }
    const glued = await c.talosctl(["ls", "-d-1", "/var"]);
    expect(lines(glued.stdout)).toEqual(one);
  });

  it("goes down as many separators as --depth, one level further from /", async () => {
    const fromVar = lines((await c.talosctl(["ls", "-d", "2", "/var"])).stdout);
    expect(fromVar).toContain("lib/kubelet");
    expect(fromVar).not.toContain("lib/kubelet/pki");
    const fromRoot = lines((await c.talosctl(["ls", "-d", "2", "/"])).stdout);
    expect(fromRoot).toContain("var/lib/kubelet");
    expect(fromRoot).not.toContain("var/lib/kubelet/pki");
    const all = lines((await c.talosctl(["ls", "-r", "/system"])).stdout);
    expect(all).toContain("secrets/kubernetes/kube-apiserver");
    expect(all).toContain("var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db");
  });

  it("still enters directories a type filter leaves out, as Talos's walker does", async () => {
    const files = lines((await c.talosctl(["ls", "-t", "f", "/var/lib"])).stdout);
    expect(files).toEqual(
      expect.arrayContaining(["kubelet/config.yaml", "containerd/io.containerd.metadata.v1.bolt/meta.db"]),
    );
    const dirs = lines((await c.talosctl(["ls", "-t", "d", "/var/lib"])).stdout);
    expect(dirs).toContain("kubelet");
    expect(dirs).not.toContain("kubelet/pki");
  });

  it("walks a symlink root's target, and humanizes sizes", async () => {
    const [root] = (await c.talosctl(["ls", "/var/run", "-o", "json"])).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(root).toMatchObject({ name: "/run", relativeName: ".", isDir: true });
    const long = rows(
      (await c.talosctl(["ls", "-lH", "/var/lib/containerd/io.containerd.metadata.v1.bolt"])).stdout,
    );
    // The (empty) LABEL column leaves no gap to split on, so the name is the last field.
    expect(long.find((r) => r.at(-1) === "meta.db")?.[4]).toBe("66 kB");
    const missing = await c.talosctl(["ls", "/nope"]);
    expect(missing).toMatchObject({
      code: 1,
      stderr:
        "error from node 127.0.0.1: rpc error: code = Unknown desc = lstat /nope: no such file or directory\n",
    });
  });
});

describe("usage --depth --all", () => {
  it("shows only the total for --depth 0, each entry down to --depth then the total", async () => {
    const total = rows((await c.talosctl(["du", "/var/lib/kubelet"])).stdout);
    expect(total).toEqual([
      ["SIZE", "NAME"],
      [expect.stringMatching(/^\d+$/), "."],
    ]);
    const r = await c.talosctl(["du", "-d", "1", "--all", "/var/lib/kubelet"]);
    expect(r.code, r.stderr).toBe(0);
    const shown = rows(r.stdout);
    const names = shown.slice(1).map((row) => row[1]);
    expect(names).toContain("config.yaml");
    expect(names.at(-1)).toBe(".");
    expect(names.some((n) => n!.includes("/"))).toBe(false);
    const size = (name: string): number => Number(shown.find((row) => row[1] === name)![0]);
    expect(size(".")).toBeGreaterThan(size("config.yaml"));
    expect(Number(total[1]![0])).toBe(size("."));
    // Without --all only directories; without a limit, every level.
    const dirs = rows((await c.talosctl(["du", "-d", "1", "/var/lib/kubelet"])).stdout).map((row) => row[1]);
    expect(dirs).not.toContain("config.yaml");
    const deep = rows((await c.talosctl(["du", "-d", "-1", "-a", "/system/var"])).stdout).map(
      (row) => row[1],
    );
    expect(deep).toContain("lib/containerd/io.containerd.metadata.v1.bolt/meta.db");
    expect(deep.at(-1)).toBe(".");
  });

  it("prints one JSON object per entry, the total last", async () => {
    const r = await c.talosctl(["du", "-d", "1", "-a", "/var/lib/kubelet", "-o", "json"]);
    const docs = lines(r.stdout).map(
      (l) => JSON.parse(l) as { name: string; relativeName: string; size: number },
    );
    expect(docs.at(-1)).toMatchObject({ name: "/var/lib/kubelet", relativeName: "." });
    expect(docs.every((d) => typeof d.size === "number")).toBe(true);
  });
});

describe("deprecated commands", () => {
  it("answer with talosctl's errors and stay out of the help", async () => {
    const cases: [string[], string][] = [
      [
        ["disks"],
        "`talosctl disks` is deprecated, please use `talosctl get disks`, `talosctl get systemdisk`, `talosctl get discoveredvolumes` instead",
      ],
      [
        ["interfaces"],
        "`talosctl interfaces` is deprecated, please use `talosctl get addresses` and `talosctl get links` instead",
      ],
      [["routes"], "`talosctl routes` is deprecated, please use `talosctl get routes` instead"],
      [
        ["route", "-n", "127.0.0.1"],
        "`talosctl routes` is deprecated, please use `talosctl get routes` instead",
      ],
      [
        ["crashdump", "--init-node", "10.5.0.2", "--worker-nodes", "10.5.0.3,10.5.0.4"],
        "`talosctl crashdump` is deprecated, please use `talosctl support` instead",
      ],
    ];
    for (const [args, message] of cases) {
      expect(await c.talosctl(args)).toEqual({ code: 1, stdout: "", stderr: `${message}\n` });
    }
    const extra = await c.talosctl(["interfaces", "eth0"]);
    expect(extra.code).toBe(1);
    expect(extra.stderr).toMatch(/^unknown command "eth0" for "talosctl interfaces"/);
    const help = await c.talosctl(["--help"]);
    for (const hidden of ["disks", "interfaces", "routes", "crashdump"]) {
      expect(help.stdout).not.toMatch(new RegExp(`^  ${hidden} `, "m"));
    }
    for (const shown of ["inspect", "wipe", "rotate-ca"])
      expect(help.stdout).toMatch(new RegExp(`^  ${shown} `, "m"));
  });
});
