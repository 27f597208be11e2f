// End to end: talosctl upgrade and rollback (in-process CLI) against real talos-node processes
// on fast clocks whose image catalog holds a newer release and one that fails to boot.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startInProcess } from "./helpers/cluster.js";
import { lines, nodePool, version, waitRunning, writeCatalog } from "./helpers/lifecycle-cli.js";
import { eventually, makeCluster, type TestCluster } from "./helpers/node.js";

let cluster: TestCluster;
let catalog: string;
const pool = nodePool(
  () => cluster,
  () => catalog,
);
/** A node that finished booting (an upgrade needs an installed, running machine). */
async function node(extra: string[] = []) {
  const n = await pool.node(extra);
  await waitRunning(n);
  return n;
}

beforeAll(async () => {
  cluster = await makeCluster("upgrade-cli");
  catalog = writeCatalog();
}, 30_000);

afterEach(() => pool.endTest());
afterAll(() => pool.endAll());

describe("talosctl upgrade and rollback", () => {
  it("upgrades, reboots, and confirms the node runs the new version; rollback returns to the old one", async () => {
    const n = await node();
    expect(await version(n)).toBe("v1.14.0");
    // The drain (talosctl's default) is left to the tests of a whole cluster.
    const r = await n.talosctl([
      "upgrade",
      "-n",
      "127.0.0.1",
      "-i",
      "ghcr.io/siderolabs/installer:v1.15.0",
      "--drain=false",
    ]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    const shown = lines(r.stderr);
    expect(shown).toContain("pulled image ghcr.io/siderolabs/installer:v1.15.0");
    expect(shown).toContain("upgrade completed");
    expect(shown.at(-1)).toBe("post check passed, running v1.15.0");
    expect(r.stderr).not.toContain("WARNING");
    expect(await version(n)).toBe("v1.15.0");

    const rb = await n.talosctl(["rollback", "-n", "127.0.0.1"]);
    expect(rb).toMatchObject({ code: 0, stdout: "", stderr: "" });
    await eventually(async () => expect(await version(n)).toBe("v1.14.0"), 30_000, 200);
  }, 90_000);

  it("reports a node that rolled back after the new version failed to boot, with exit 1", async () => {
    const n = await node();
    const r = await n.talosctl([
      "upgrade",
      "-n",
      "127.0.0.1",
      "-i",
      "ghcr.io/siderolabs/installer:v1.15.1",
      "--drain=false",
    ]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr).at(-1)).toBe(
      "rolled back: the node is running v1.14.0 again, not v1.15.1 (the upgraded system failed to boot)",
    );
    expect(await version(n)).toBe("v1.14.0");
  }, 90_000);

  it("names the node and the image when the image is not in the registry", async () => {
    const n = await node();
    const r = await n.talosctl([
      "upgrade",
      "-n",
      "127.0.0.1",
      "-i",
      "ghcr.io/siderolabs/installer:v9.9.9",
      "--drain=false",
    ]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr).at(-1)).toMatch(
      /^127\.0\.0\.1: error pulling image ghcr\.io\/siderolabs\/installer:v9\.9\.9: rpc error: code = \w+ desc = .+/,
    );
    expect(await version(n)).toBe("v1.14.0");
  }, 60_000);

  it("refuses a second upgrade while one runs", async () => {
    const n = await node(["--time-scale", "2"]);
    // Pulled into and installed from the in-memory containerd instance (--namespace inmem).
    const first = startInProcess(
      [
        "upgrade",
        "-n",
        "127.0.0.1",
        "-i",
        "ghcr.io/siderolabs/installer:v1.15.0",
        "--no-reboot",
        "--namespace",
        "inmem",
      ],
      { cwd: n.dir, home: n.home, env: n.env() },
    );
    await eventually(async () => expect(first.stderr()).toMatch(/pulled image/), 30_000, 20);
    // The same instance: its pull finds the image at once and the install meets the first one.
    const second = await n.talosctl([
      "upgrade",
      "-n",
      "127.0.0.1",
      "-i",
      "ghcr.io/siderolabs/installer:v1.15.0",
      "--no-reboot",
      "--namespace",
      "inmem",
    ]);
    const r1 = await first.result;
    expect({ code: r1.code, stderr: r1.stderr }).toMatchObject({ code: 0 });
    expect({ code: second.code, stderr: second.stderr }).toMatchObject({ code: 1 });
    expect(second.stderr).toMatch(/another installation\/upgrade is already in progress/);
  }, 90_000);
});

describe("talosctl upgrade through the legacy API", () => {
  it("--legacy upgrades through MachineService.Upgrade and follows the node to the new version", async () => {
    const n = await node();
    const r = await n.talosctl([
      "upgrade",
      "-n",
      "127.0.0.1",
      "-i",
      "ghcr.io/siderolabs/installer:v1.15.0",
      "--legacy",
    ]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    const shown = lines(r.stderr);
    expect(shown).toContain("sequence: upgrade action: START");
    expect(shown.at(-1)).toBe("post check passed, running v1.15.0");
  }, 90_000);

  it("--stage installs on the next boot and follows the node to the new version", async () => {
    const n = await node();
    const r = await n.talosctl([
      "upgrade",
      "-n",
      "127.0.0.1",
      "-i",
      "ghcr.io/siderolabs/installer:v1.15.0",
      "--stage",
    ]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(lines(r.stderr)).toContain("sequence: stageUpgrade action: START");
    expect(lines(r.stderr).at(-1)).toBe("post check passed, running v1.15.0");
  }, 90_000);

  it("falls back to the legacy API for a node older than the current one, and --wait=false prints the ack", async () => {
    // A v1.12 node loads only what Talos v1.12 knows: its cluster's configs are made for it.
    const current = cluster;
    cluster = await makeCluster("upgrade-cli-v112", "v1.12.6");
    let n: Awaited<ReturnType<typeof node>>;
    try {
      n = await node(["--talos-version", "v1.12.6"]);
    } finally {
      cluster = current;
    }
    const r = await n.talosctl([
      "upgrade",
      "-n",
      "127.0.0.1",
      "-i",
      "ghcr.io/siderolabs/installer:v1.15.0",
      "--wait=false",
    ]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(r.stderr).toContain("New upgrade API is not available, falling back to legacy");
    expect(r.stdout).toMatch(
      /^NODE\s+ACK\s+STARTED\n127\.0\.0\.1\s+Upgrade request received\s+\d{4}-\d\d-\d\dT/,
    );
    await eventually(async () => expect(await version(n)).toBe("v1.15.0"), 60_000, 200);
  }, 90_000);
});
