// talosctl cgroups, debug, restart, netstat, pcap and image against one real talos-node: each
// command's output from what the node runs, and its bad inputs (flags, files, ids, roles).
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunResult, runInProcess } from "./helpers/cli.js";
import { type ConfiguredNode, startConfiguredNode, talosconfigFor } from "./helpers/cluster.js";
import { eventually } from "./helpers/node.js";

let n: ConfiguredNode;
let reader: string;

function talosctl(args: readonly string[], input?: string): Promise<RunResult> {
  return runInProcess(args, {
    cwd: n.dir,
    home: n.home,
    env: n.env(),
    ...(input !== undefined ? { input } : {}),
  });
}

/** A ustar archive of regular files. */
function tarOf(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    const header = Buffer.alloc(512);
    header.write(name, 0, "utf8");
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${body.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write("00000000000\0", 136);
    header.write("0", 156);
    header.write("ustar\0", 257);
    header.write("00", 263);
    header.fill(" ", 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

beforeAll(async () => {
  n = await startConfiguredNode({ args: ["--time-scale", "50"] });
  reader = path.join(n.dir, "reader.yaml");
  fs.writeFileSync(reader, talosconfigFor(n.cluster, [n.node.address], ["127.0.0.1"], n.cluster.reader), {
    mode: 0o600,
  });
  // The control plane's static pods run (their cgroups and containers are what is checked).
  await eventually(async () => {
    const r = await talosctl(["containers", "-k"]);
    if (!/kube-scheduler/.test(r.stdout)) throw new Error("no kube-scheduler yet");
  }, 30_000);
}, 60_000);

afterAll(async () => {
  await n?.stop();
});

describe("talosctl cgroups", () => {
  it("draws the tree of Talos's groups and pods with a preset's columns", async () => {
    const r = await talosctl(["cgroups", "--preset", "memory"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(
      /^NAME +MemCurrent +MemPeak +MemLow +Peak\/Low +MemHigh +MemMin +Current\/Min +MemMax$/,
    );
    expect(lines[1]).toMatch(/^\. +unset +unset/);
    expect(r.stdout).toMatch(/\n├──init +\d/);
    // apid: 16 MiB memory.min and 128 MiB memory.max, as Talos sets them.
    expect(r.stdout).toMatch(
      /\n {4}├──apid +[\d.]+ [KM]iB +[\d.]+ [KM]iB +0 B +max% +max +16 MiB +[\d.]+% +128 MiB\n/,
    );
    // Pods and containers are named through CRI.
    expect(r.stdout).toMatch(/│ {7}[├└]──kube-system\/kube-scheduler-[^ ]+ /);
    expect(r.stdout).toMatch(/kube-scheduler +\d/);
    expect(r.stdout).toMatch(/└──sandbox +/);
  });

  it("names each group's processes, and gives one object per group with -o json", async () => {
    const p = await talosctl(["cg", "--preset", "process"]);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/etcd +\d+ +\d+ +max +1 +\d+ +\[etcd\]/);
    const j = await talosctl(["cgroups", "--preset", "cpu", "-o", "json"]);
    expect(j.code).toBe(0);
    const rows = j.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { node: string; path: string; columns: Record<string, string> });
    const apid = rows.find((row) => row.path === "system/apid");
    expect(apid?.node).toBe("127.0.0.1");
    expect(apid?.columns.CpuWeight).toBe("20");
    expect(rows[0]?.path).toBe(".");
  });

  it("takes columns from a schema file", async () => {
    fs.writeFileSync(
      path.join(n.dir, "columns.yaml"),
      "columns:\n  - name: Max\n    template: '{{ .MemoryMax.HumanizeIBytes }}'\n  - name: Procs\n    template: '{{ .CgroupProcs | len }}'\n",
    );
    const r = await talosctl(["cgroups", "--schema-file", "columns.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^NAME +Max +Procs$/);
    expect(r.stdout).toMatch(/trustd +128 MiB +1\n/);
  });

  it("refuses bad presets, schema files and flag combinations before reading the node", async () => {
    fs.writeFileSync(path.join(n.dir, "broken.yaml"), "columns:\n  - name: X\n    template: '{{ .Nope'\n");
    const cases: [string[], string][] = [
      [["cgroups"], "either schema file or preset must be specified\n"],
      [
        ["cgroups", "--preset", "nope"],
        "invalid preset name: nope (valid [cpu cpuset io memory process psi swap])\n",
      ],
      [
        ["cgroups", "--preset", "cpu", "--schema-file", "x.yaml"],
        "if any flags in the group [schema-file preset] are set none of the others can be; [preset schema-file] were all set\n",
      ],
      [
        ["cgroups", "--schema-file", "missing.yaml"],
        "error opening schema file: open missing.yaml: no such file or directory\n",
      ],
      [
        ["cgroups", "--schema-file", "broken.yaml"],
        "error compiling schema: template: X:1: unclosed action\n",
      ],
    ];
    for (const [args, stderr] of cases) {
      const r = await talosctl(args);
      expect({ args, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({
        args,
        code: 1,
        stderr,
        stdout: "",
      });
    }
  });

  it("fails for a reader, who may not copy files from the node", async () => {
    const r = await talosctl(["--talosconfig", reader, "cgroups", "--preset", "memory"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      "error reading cgroups: rpc error: code = PermissionDenied desc = not authorized\n",
    );
  });
});

describe("talosctl debug", () => {
  it("pulls the image and runs a shell fed from stdin; a non-zero exit fails the command", async () => {
    const r = await talosctl(
      ["debug", "docker.io/library/alpine:latest"],
      "ls /host\necho $? done\nexit 3\necho never\n",
    );
    expect(r.stderr).toBe(
      "127.0.0.1: pulled image docker.io/library/alpine:latest\ncontainer exited with code 3\n",
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^(?:.*\n)*system\n(?:.*\n)*var\n0 done\n$/);
  });

  it("runs the command --args names and sees the node's processes and addresses", async () => {
    const r = await talosctl(["debug", "alpine", "--args", "/bin/sh,-c,ps; ip a"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PID +USER +TIME +COMMAND\n/);
    expect(r.stdout).toMatch(/^ +\d+ root +\d+:\d\d \/usr\/local\/bin\/etcd$/m);
    expect(r.stdout).toContain("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536");
    const ended = await talosctl(["debug", "alpine"], "");
    expect(ended.code).toBe(0);
    expect(ended.stdout).toBe("");
  });

  it("imports a local image archive into the node and runs it", async () => {
    fs.writeFileSync(
      path.join(n.dir, "tools.tar"),
      tarOf({
        "manifest.json": JSON.stringify([
          { Config: "c.json", RepoTags: ["example.org/tools:v1"], Layers: [] },
        ]),
      }),
    );
    const r = await talosctl(["debug", "tools.tar", "--args", "/bin/sh,-c,uname -s"]);
    expect(r.stderr).toBe("127.0.0.1: image imported example.org/tools:v1 from tools.tar\n");
    expect(r.stdout).toBe("Linux\n");
    expect(r.code).toBe(0);
    const list = await talosctl(["image", "list", "--namespace", "inmem"]);
    expect(list.stdout).toContain("example.org/tools:v1");
  });

  it("refuses a missing image, an unknown one, a file that is no archive, and a reader", async () => {
    fs.writeFileSync(path.join(n.dir, "notes.txt"), "not an archive\n");
    const cases: [string[], string][] = [
      [["debug"], "an image tar path or reference is required\n"],
      [
        ["debug", "nosuch.example/none:1"],
        'failed to pull image: error from node 127.0.0.1: rpc error: code = NotFound desc = failed to pull image "nosuch.example/none:1": failed to resolve reference "nosuch.example/none:1": nosuch.example/none:1: not found\n',
      ],
      [
        ["debug", "notes.txt"],
        "failed to import image: rpc error: code = Internal desc = failed to import image: unrecognized image format\n",
      ],
      [["debug", "alpine", "--namespace", "k8s"], 'unsupported namespace "k8s"\n'],
      [
        ["--talosconfig", reader, "debug", "alpine"],
        "failed to pull image: error from node 127.0.0.1: rpc error: code = PermissionDenied desc = not authorized\n",
      ],
    ];
    for (const [args, stderr] of cases) {
      const r = await talosctl(args);
      expect({ args, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({
        args,
        code: 1,
        stderr,
        stdout: "",
      });
    }
  });
});

describe("talosctl restart, netstat, pcap and image", () => {
  it("restarts a service's container and refuses an unknown id", async () => {
    const started = async (): Promise<number> =>
      ((await talosctl(["service", "trustd"])).stdout.match(/Started task trustd \(PID \d+\)/g) ?? []).length;
    const before = await started();
    expect(before).toBeGreaterThan(0);
    const r = await talosctl(["restart", "trustd"]);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    // Its runner starts the killed task again.
    await eventually(async () => {
      if ((await started()) <= before) throw new Error("trustd not started again");
    }, 20_000);
    const bad = await talosctl(["restart", "nope"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'error restarting process on node 127.0.0.1: rpc error: code = Unknown desc = container "nope" not found\n',
    );
  });

  it("lists the node's listening sockets, its API among them, and the connections to it", async () => {
    const port = n.node.port;
    const l = await talosctl(["netstat", "-lt"]);
    expect(l.code).toBe(0);
    expect(l.stdout.split("\n")[0]).toMatch(
      /^NODE +Proto +Recv-Q +Send-Q +Local Address +Foreign Address +State$/,
    );
    expect(l.stdout).toMatch(new RegExp(`tcp +0 +0 +127\\.0\\.0\\.1:${port} +0\\.0\\.0\\.0:\\* +LISTEN\\n`));
    expect(l.stdout).toMatch(/0\.0\.0\.0:2379 +0\.0\.0\.0:\* +LISTEN/);
    const c = await talosctl(["netstat"]);
    expect(c.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} +127\\.0\\.0\\.1:\\d+ +ESTABLISHED`));
  });

  it("captures the node's API traffic into a pcap file, and refuses an unknown interface or filter", async () => {
    const r = await talosctl(["pcap", "-i", "lo", "--duration", "1s", "-o", "cap.pcap"]);
    expect(r.code).toBe(0);
    const cap = fs.readFileSync(path.join(n.dir, "cap.pcap"));
    // pcap's magic (microseconds, little endian), version 2.4.
    expect(cap.subarray(0, 8).toString("hex")).toBe("d4c3b2a102000400");
    const bad = await talosctl(["pcap", "-i", "nope0", "--duration", "1s"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'error opening pcap reader: rpc error: code = NotFound desc = interface "nope0" not found\n',
    );
    const filter = await talosctl(["pcap", "-i", "lo", "--bpf-filter", "tcp port"]);
    expect(filter.code).toBe(1);
    expect(filter.stderr).toMatch(/^unsupported --bpf-filter expression "tcp port": /);
  });

  it("lists, removes and verifies images, prints the default bundle, and cannot build a cache offline", async () => {
    const list = await talosctl(["image", "list", "--namespace", "system"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NODE +IMAGE +DIGEST +SIZE +LABELS +CREATED\n/);
    expect(list.stdout).toMatch(/ghcr\.io\/siderolabs\/kubelet:v[\d.]+ +sha256:[0-9a-f]{64} /);
    const pulled = await talosctl(["image", "pull", "--namespace", "system", "alpine"]);
    expect(pulled).toEqual({
      code: 0,
      stdout: "",
      stderr: "127.0.0.1: pulled image docker.io/library/alpine:latest\n",
    });
    expect((await talosctl(["image", "list", "--namespace", "system"])).stdout).toContain(
      "docker.io/library/alpine:latest",
    );
    const removed = await talosctl([
      "image",
      "remove",
      "--namespace",
      "system",
      "docker.io/library/alpine:latest",
    ]);
    expect(removed.code).toBe(0);
    const after = await talosctl(["image", "list", "--namespace", "system"]);
    expect(after.stdout).not.toContain("alpine");
    const missing = await talosctl(["image", "remove", "nope:1"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      "error from node 127.0.0.1: rpc error: code = NotFound desc = image nope:1 not found\n",
    );
    const bundle = await talosctl(["image", "k8s-bundle"]);
    expect(bundle.code).toBe(0);
    expect(bundle.stdout).toMatch(/^registry\.k8s\.io\/kube-apiserver:v[\d.]+$/m);
    const verify = await talosctl(["image", "verify", "alpine"]);
    expect(verify.stdout).toMatch(/127\.0\.0\.1 +false +no matched rule/);
    const cache = await talosctl([
      "image",
      "cache-create",
      "--images",
      "alpine",
      "--image-cache-path",
      "cache",
    ]);
    expect(cache.code).toBe(1);
    expect(cache.stderr).toBe(
      "error generating cache: this talosctl works offline and cannot pull from a registry; the cache needs 1 image(s): alpine\n",
    );
    expect(fs.existsSync(path.join(n.dir, "cache"))).toBe(false);
  });
});
