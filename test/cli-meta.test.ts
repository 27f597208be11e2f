// talosctl meta write/delete against real talos-node processes: keys as Go's ParseUint reads
// them, the values in `get metakeys`, kept across a reboot, wiped by a reset that lists META,
// refused for readers and on a container-mode node.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConfiguredNode, startConfiguredNode, talosconfigFor } from "./helpers/cluster.js";
import { bootId, FAST } from "./helpers/lifecycle-cli.js";
import { eventually, makeCluster, type TestCluster } from "./helpers/node.js";

let cluster: TestCluster;
let n: ConfiguredNode;

async function metaKeys(node: ConfiguredNode): Promise<Record<string, string>> {
  const r = await node.talosctl(["get", "metakeys", "-o", "json"]);
  expect(r.stderr).toBe("");
  const out: Record<string, string> = {};
  for (const doc of r.stdout
    .trim()
    .split(/\n(?=\{)/)
    .filter((d) => d !== "")) {
    const parsed = JSON.parse(doc) as { metadata: { id: string }; spec: { value: string } };
    out[parsed.metadata.id] = parsed.spec.value;
  }
  return out;
}

beforeAll(async () => {
  cluster = await makeCluster("meta-cli");
  n = await startConfiguredNode({ cluster, args: FAST });
}, 30_000);

afterAll(async () => {
  await n?.node.kill();
});

describe("talosctl meta", () => {
  it("writes keys given in any base ParseUint takes, shows them in get metakeys, deletes them", async () => {
    for (const [key, value] of [
      ["0x0c", "twelve"],
      ["13", "thirteen"],
      ["0o16", "fourteen"],
      ["0b1111", "fifteen"],
    ]) {
      const w = await n.talosctl(["meta", "write", key!, value!]);
      expect({ code: w.code, stderr: w.stderr, stdout: w.stdout }).toEqual({
        code: 0,
        stderr: "",
        stdout: "",
      });
    }
    expect(await metaKeys(n)).toMatchObject({
      "0x0c": "twelve",
      "0x0d": "thirteen",
      "0x0e": "fourteen",
      "0x0f": "fifteen",
    });
    const table = await n.talosctl(["get", "meta"]);
    expect(table.stdout).toMatch(/^NODE +NAMESPACE +TYPE +ID +VERSION +VALUE$/m);
    expect(table.stdout).toMatch(/ runtime +MetaKey +0x0c +\d+ +twelve$/m);

    const d = await n.talosctl(["meta", "delete", "0x0d"]);
    expect({ code: d.code, stderr: d.stderr }).toEqual({ code: 0, stderr: "" });
    expect(Object.keys(await metaKeys(n))).not.toContain("0x0d");

    const again = await n.talosctl(["meta", "delete", "13"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      "error deleting meta from node 127.0.0.1: rpc error: code = NotFound desc = meta key not found\n",
    );
  });

  it("refuses keys that are not a uint8, before contacting the node", async () => {
    const big = await n.talosctl(["meta", "write", "256", "x"]);
    expect(big).toMatchObject({ code: 1, stderr: 'strconv.ParseUint: parsing "256": value out of range\n' });
    const bad = await n.talosctl(["meta", "delete", "key"]);
    expect(bad).toMatchObject({ code: 1, stderr: 'strconv.ParseUint: parsing "key": invalid syntax\n' });
    const args = await n.talosctl(["meta", "write", "1"]);
    expect(args.code).toBe(1);
    expect(args.stderr).toMatch(/^accepts 2 arg\(s\), received 1\n/);
  });

  it("refuses a reader, as Talos allows only os:admin and os:meta-writer", async () => {
    const file = path.join(n.dir, "reader.yaml");
    fs.writeFileSync(file, talosconfigFor(cluster, [n.node.address], ["127.0.0.1"], cluster.reader), {
      mode: 0o600,
    });
    const r = await n.talosctl(["--talosconfig", file, "meta", "write", "0x20", "v"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error writing meta to node 127.0.0.1: rpc error: code = PermissionDenied desc = not authorized\n",
    );
  });

  it("keeps the keys across a reboot, and a reset that lists META wipes them", async () => {
    expect((await n.talosctl(["meta", "write", "0x30", "kept"])).code).toBe(0);
    const before = await bootId(n);
    const reboot = await n.talosctl(["reboot", "-n", "127.0.0.1"]);
    expect(reboot.code, reboot.stderr).toBe(0);
    expect(await bootId(n)).not.toBe(before);
    expect(await metaKeys(n)).toMatchObject({ "0x30": "kept", "0x0c": "twelve" });

    const reset = await n.talosctl([
      "reset",
      "-n",
      "127.0.0.1",
      "--system-labels-to-wipe",
      "META",
      "--reboot",
      "--graceful=false",
    ]);
    expect(reset.code, reset.stderr).toBe(0);
    await eventually(async () => expect(await metaKeys(n)).toEqual({}), 30_000);
  }, 90_000);
});

describe("talosctl meta on a container-mode node", () => {
  it("fails as Talos does: there is no META partition", async () => {
    const c = await startConfiguredNode({ cluster, args: [...FAST, "--platform", "container"] });
    try {
      const r = await c.talosctl(["meta", "write", "1", "v"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        "error writing meta to node 127.0.0.1: rpc error: code = FailedPrecondition desc = method is not supported in container mode\n",
      );
    } finally {
      await c.node.kill();
    }
  }, 30_000);
});
