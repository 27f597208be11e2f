// System information commands of the real CLI against a real configured talos-node over mTLS:
// memory, processes, mounts, containers, stats, time, diskfree and service, each as a table
// and as NDJSON, with two node names answering at once and a node that cannot be reached.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConfiguredNode, startConfiguredNode } from "./helpers/cluster.js";
import { eventually } from "./helpers/node.js";

let c: ConfiguredNode;
const NODE = "127.0.0.1";
/** A node the endpoint will not forward to: its calls fail, the others' output still prints. */
const UNREACHABLE = "10.255.0.9";

function ndjson(text: string): Record<string, unknown>[] {
  return text
    .trimEnd()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function table(text: string): string[][] {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => l.split(/ {3,}/));
}

beforeAll(async () => {
  c = await startConfiguredNode({ args: ["--time-scale", "50"] });
  // Wait until the boot has started every service (kubelet last).
  await eventually(async () => {
    const r = await c.talosctl(["service", "kubelet"]);
    if (!/STATE +Running/.test(r.stdout)) throw new Error(`kubelet not running yet: ${r.stdout}${r.stderr}`);
  }, 30_000);
});

afterAll(async () => {
  await c?.stop();
});

describe("memory", () => {
  it("prints MiB per node, the full meminfo with -v, NDJSON with -o json", async () => {
    const r = await c.talosctl(["memory"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = table(r.stdout);
    expect(rows[0]).toEqual(["NODE", "TOTAL", "USED", "FREE", "SHARED", "BUFFERS", "CACHE", "AVAILABLE"]);
    expect(rows[1]![0]).toBe(NODE);
    const [total, used, free, , buffers, cache] = rows[1]!.slice(1).map(Number);
    expect(total).toBeGreaterThan(0);
    // USED is what is neither free nor page cache nor buffers (rounding to MiB apart).
    expect(Math.abs(total! - used! - free! - buffers! - cache!)).toBeLessThanOrEqual(3);

    const v = await c.talosctl(["free", "-v"]);
    expect(v.code).toBe(0);
    const lines = v.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`NODE: ${NODE}`);
    expect(lines[1]).toMatch(/^MemTotal: \d+ kB$/);
    expect(lines).toContain("HugePagesTotal: 0");
    expect(lines).toHaveLength(49);

    const j = await c.talosctl(["m", "-o", "json"]);
    const [doc] = ndjson(j.stdout) as [{ node: string; meminfo: Record<string, number> }];
    expect(doc.node).toBe(NODE);
    expect(Math.floor(doc.meminfo.memtotal! / 1024)).toBe(total);
  });
});

describe("processes", () => {
  it("sorts by resident memory or CPU time and gives NDJSON", async () => {
    const r = await c.talosctl(["ps"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = table(r.stdout);
    expect(rows[0]).toEqual([
      "NODE",
      "PID",
      "STATE",
      "THREADS",
      "CPU-TIME",
      "VIRTMEM",
      "RESMEM",
      "LABEL",
      "COMMAND",
    ]);
    expect(rows.length).toBeGreaterThan(5);
    const j = ndjson((await c.talosctl(["processes", "-o", "json"])).stdout) as {
      node: string;
      pid: number;
      residentMemory: number;
      cpuTime: number;
    }[];
    expect(j.every((p) => p.node === NODE && p.pid > 0)).toBe(true);
    const rss = j.map((p) => p.residentMemory);
    expect(rss).toEqual([...rss].sort((a, b) => b - a));
    expect(rows.slice(1).map((row) => Number(row[1]))).toEqual(j.map((p) => p.pid));
    const cpu = ndjson((await c.talosctl(["p", "-s", "cpu", "-o", "json"])).stdout).map(
      (p) => p.cpuTime as number,
    );
    expect(cpu).toEqual([...cpu].sort((a, b) => b - a));
    const bad = await c.talosctl(["ps", "--sort", "name"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('invalid argument "name" for "-s, --sort" flag: use rss or cpu\n');
  });
});

describe("mounts", () => {
  it("shows sizes in GB and the percentage used", async () => {
    const r = await c.talosctl(["mounts"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = table(r.stdout);
    expect(rows[0]).toEqual([
      "NODE",
      "FILESYSTEM",
      "SIZE(GB)",
      "USED(GB)",
      "AVAILABLE(GB)",
      "PERCENT USED",
      "MOUNTED ON",
    ]);
    for (const row of rows.slice(1)) {
      expect(row[0]).toBe(NODE);
      expect(row[2]).toMatch(/^\d+\.\d\d$/);
      expect(row[5]).toMatch(/^\d+\.\d\d%$/);
    }
    const j = ndjson((await c.talosctl(["mount", "-o", "json"])).stdout) as {
      mountedOn: string;
      size: number;
    }[];
    expect(j.map((m) => m.mountedOn)).toEqual(expect.arrayContaining(rows.slice(1).map((row) => row[6])));
  });
});

describe("containers and stats", () => {
  it("lists system containers, and Kubernetes pods with their containers nested", async () => {
    const r = await c.talosctl(["containers"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = table(r.stdout);
    expect(rows[0]).toEqual(["NODE", "NAMESPACE", "ID", "IMAGE", "PID", "STATUS"]);
    expect(rows.slice(1).every((row) => row[0] === NODE && row[1] === "system")).toBe(true);
    const ids = rows.slice(1).map((row) => row[2]!);
    expect(ids).toEqual([...ids].sort());

    const k = await c.talosctl(["c", "-k"]);
    expect(k.code, k.stderr).toBe(0);
    const krows = table(k.stdout).slice(1);
    const nested = krows.filter((row) => row[2]!.startsWith("└─ "));
    expect(nested.length).toBeGreaterThan(0);
    for (const row of nested) {
      const id = row[2]!.slice(3);
      const pod = id.slice(0, id.indexOf(":"));
      // The pod's own row comes first.
      expect(krows.findIndex((x) => x[2] === pod)).toBeLessThan(krows.indexOf(row));
    }
    const j = ndjson((await c.talosctl(["containers", "-k", "-o", "json"])).stdout);
    expect(j.length).toBe(krows.length);
    expect(j[0]).toMatchObject({ node: NODE, namespace: "k8s.io" });
  });

  it("shows container memory and CPU", async () => {
    const r = await c.talosctl(["stats"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = table(r.stdout);
    expect(rows[0]).toEqual(["NODE", "NAMESPACE", "ID", "MEMORY(MB)", "CPU"]);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows[1]![3]).toMatch(/^\d+\.\d\d$/);
    const k = ndjson((await c.talosctl(["stats", "-k", "-o", "json"])).stdout);
    expect(k[0]).toMatchObject({ node: NODE, namespace: "k8s.io" });
    expect(typeof k[0]!.memoryUsage).toBe("number");
  });
});

describe("time", () => {
  it("compares the node's clock with its NTP server", async () => {
    const r = await c.talosctl(["time"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = table(r.stdout);
    expect(rows[0]).toEqual(["NODE", "NTP-SERVER", "NODE-TIME", "NTP-SERVER-TIME"]);
    expect(rows[1]![0]).toBe(NODE);
    expect(rows[1]![2]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/);
    const check = ndjson((await c.talosctl(["time", "--check", "time.example.org", "-o", "json"])).stdout);
    expect(check[0]).toMatchObject({ node: NODE, server: "time.example.org" });
    expect(Date.parse(check[0]!.nodeTime as string)).toBeGreaterThan(0);
  });
});

describe("diskfree", () => {
  it("shows each mounted volume's space, in bytes with -b, and one volume by ID", async () => {
    const r = await c.talosctl(["df"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = table(r.stdout);
    expect(rows[0]).toEqual([
      "NODE",
      "VOLUME",
      "FILESYSTEM",
      "SIZE",
      "USED",
      "AVAILABLE",
      "USAGE",
      "MOUNT POINT",
    ]);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows[1]![3]).toMatch(/^\d+(\.\d)?[KMGT]?i?B$/);
    expect(rows[1]![6]).toMatch(/^\d+%$/);
    const volume = rows[1]![1]!;
    const one = await c.talosctl(["diskfree", volume, "-b", "-o", "json"]);
    expect(one.code, one.stderr).toBe(0);
    const [doc] = ndjson(one.stdout) as [{ volume: string; size: number; used: number; available: number }];
    expect(doc.volume).toBe(volume);
    expect(doc.used + doc.available).toBeLessThanOrEqual(doc.size);
    const bytes = table((await c.talosctl(["df", volume, "-b"])).stdout);
    expect(bytes[1]![3]).toBe(String(doc.size));
  });

  it("names a volume that does not exist", async () => {
    const r = await c.talosctl(["df", "NOSUCHVOLUME"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error from node ${NODE}: volume "NOSUCHVOLUME" not found\n`);
  });
});

describe("service", () => {
  it("lists services with state, health and the last event", async () => {
    const r = await c.talosctl(["services"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = table(r.stdout);
    expect(rows[0]).toEqual(["NODE", "SERVICE", "STATE", "HEALTH", "LAST CHANGE", "LAST EVENT"]);
    const apid = rows.find((row) => row[1] === "apid")!;
    expect(apid).toBeDefined();
    expect(apid[2]).toBe("Running");
    expect(apid[3]).toMatch(/^(OK|Fail|\?)$/);
    expect(apid[4]).toMatch(/^(\d+h)?(\d+m)?\d+s ago$/);
    const ids = rows.slice(1).map((row) => row[1]);
    expect(ids).toEqual([...ids].sort());
  });

  it("shows one service's state and its events, newest first", async () => {
    const r = await c.talosctl(["service", "etcd", "status"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NODE {3,}127\.0\.0\.1$/);
    expect(lines[1]).toMatch(/^ID {3,}etcd$/);
    expect(lines[2]).toMatch(/^STATE {3,}Running$/);
    const events = lines.slice(lines.findIndex((l) => l.startsWith("EVENTS")));
    expect(events[0]).toMatch(/^EVENTS {3,}\[\w+\]: .+ \(\d.*s ago\)$/);
    expect(events[events.length - 1]).toMatch(/\[Starting\]: Starting service/);
    const j = ndjson((await c.talosctl(["service", "etcd", "-o", "json"])).stdout);
    expect(j[0]).toMatchObject({ node: NODE, id: "etcd", state: "Running" });
  });

  it("restarts the kubelet, refuses what the API does not allow, and names unknown services", async () => {
    const restart = await c.talosctl(["service", "kubelet", "restart"]);
    expect(restart.code, restart.stderr).toBe(0);
    expect(table(restart.stdout)).toEqual([
      ["NODE", "RESPONSE"],
      [NODE, 'Service "kubelet" restarted'],
    ]);
    const stop = await c.talosctl(["service", "kubelet", "stop"]);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toBe(
      `error from node ${NODE}: rpc error: code = Unknown desc = service "kubelet" doesn't support stop operation via API\n`,
    );
    const unknown = await c.talosctl(["service", "nosuch"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('service "nosuch" is not registered on any nodes\n');
    const start = await c.talosctl(["service", "nosuch", "start", "-o", "json"]);
    expect(start.code).toBe(1);
    expect(ndjson(start.stdout)).toEqual([
      { node: NODE, error: 'rpc error: code = Unknown desc = service "nosuch" not defined' },
    ]);
    const action = await c.talosctl(["service", "kubelet", "reload"]);
    expect(action.code).toBe(1);
    expect(action.stderr).toBe('unsupported service action: "reload"\n');
  });

  it("completes service ids and actions from the node", async () => {
    const ids = await c.talosctl(["__completeNoDesc", "service", ""]);
    expect(ids.stdout.split("\n")).toEqual(expect.arrayContaining(["apid", "etcd", "kubelet"]));
    const actions = await c.talosctl(["__completeNoDesc", "service", "etcd", ""]);
    expect(actions.stdout).toBe("start\nstop\nrestart\nstatus\n:4\n");
  });
});

describe("several nodes", () => {
  it("prints each node's rows under one header when two node names answer", async () => {
    const r = await c.talosctl(["memory", "-n", `${NODE},localhost`]);
    expect(r.code, r.stderr).toBe(0);
    const nodes = table(r.stdout)
      .slice(1)
      .map((row) => row[0]);
    expect(nodes.sort()).toEqual([NODE, "localhost"]);
    const services = table((await c.talosctl(["service", "-n", `${NODE},localhost`])).stdout);
    expect(
      services
        .filter((row) => row[1] === "apid")
        .map((row) => row[0])
        .sort(),
    ).toEqual([NODE, "localhost"]);
  });

  it.each([
    ["memory"],
    ["processes"],
    ["mounts"],
    ["containers"],
    ["stats"],
    ["time"],
    ["service"],
    ["diskfree"],
  ])("%s: prints what the reachable node returned, names the failing one, exits 1", async (cmd) => {
    const r = await c.talosctl([cmd, "-n", `${NODE},${UNREACHABLE}`]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")[1]).toMatch(/^127\.0\.0\.1 /);
    // The endpoint forwards the call for the other address, whose dial fails.
    expect(r.stderr).toMatch(
      new RegExp(
        `^error from node ${UNREACHABLE}: rpc error: code = Unavailable desc = .*connection refused.*\n$`,
      ),
    );
    const j = await c.talosctl([cmd, "-n", `${NODE},${UNREACHABLE}`, "-o", "json"]);
    expect(j.code).toBe(1);
    const docs = ndjson(j.stdout);
    expect(docs.some((d) => d.node === NODE && d.error === undefined)).toBe(true);
    expect(docs.filter((d) => d.node === UNREACHABLE)).toEqual([
      {
        node: UNREACHABLE,
        error: expect.stringMatching(/^rpc error: code = Unavailable desc = .*connection refused/),
      },
    ]);
  });
});
