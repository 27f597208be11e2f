import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../document.js";
import {
  ConfigErrors,
  loadMachineConfig,
  loadMachineConfigFile,
  MAX_CONFIG_BYTES,
  MAX_NESTING_DEPTH,
  MAX_REPORTED_PROBLEMS,
  MAX_YAML_TOKENS,
} from "./index.js";
import { roughNestingDepth } from "./loader.js";

// biome-ignore lint/suspicious/noExplicitAny: test data is read by path without a schema
type Json = Record<string, any>;

/** The problems a load reports, as {document, path, line, col, detail}. */
function problems(text: string | Uint8Array, options: Parameters<typeof loadMachineConfig>[1] = {}) {
  try {
    loadMachineConfig(text, { file: "cfg.yaml", ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigErrors);
    return (err as ConfigErrors).problems.map((p) => ({
      document: p.location.document,
      path: p.location.path?.join("."),
      at: p.location.position ? `${p.location.position.line}:${p.location.position.col}` : undefined,
      detail: p.detail,
    }));
  }
  throw new Error("expected the load to fail");
}

const LEGACY = `version: v1alpha1
debug: false
persist: true
machine:
    type: controlplane
    token: abc
    ca:
        crt: AAA
        key: BBB
    certSANs: []
cluster:
    token: xyz
`;

describe("loadMachineConfig: documents", () => {
  it("loads the legacy document and named and unnamed kinds, in order, with positions", () => {
    const text = `${LEGACY}---
apiVersion: v1alpha1
kind: DiscoveryServiceConfig
name: default
endpoint: https://discovery.talos.dev/
---
apiVersion: v1alpha1
kind: KubePrismConfig
port: 7445
`;
    const cfg = loadMachineConfig(text, { file: "cp.yaml" });
    expect(cfg.file).toBe("cp.yaml");
    expect(cfg.documents.map((d) => [d.kind, d.name, d.apiVersion])).toEqual([
      ["v1alpha1", undefined, "v1alpha1"],
      ["DiscoveryServiceConfig", "default", "v1alpha1"],
      ["KubePrismConfig", undefined, "v1alpha1"],
    ]);
    const [legacy, discovery, prism] = cfg.documents;
    expect(legacy!.data.persist).toBe(true);
    expect(legacy!.position(["machine", "ca", "key"])).toEqual({ line: 9, col: 9 });
    expect(legacy!.position(["machine", "certSANs"])).toEqual({ line: 10, col: 5 });
    expect(legacy!.position(["machine", "nope"])).toBeUndefined();
    expect(discovery!.data).toEqual({
      apiVersion: "v1alpha1",
      kind: "DiscoveryServiceConfig",
      name: "default",
      endpoint: "https://discovery.talos.dev/",
    });
    expect(discovery!.position(["endpoint"])).toEqual({ line: 17, col: 1 });
    expect(prism!.data.port).toBe(7445);
    expect(prism!.position([])).toEqual({ line: 19, col: 1 });
  });

  it("reads scalars as the Go field types do", () => {
    const text = `machine:
    type: worker
    files:
        - content: x
          permissions: 0644
          path: /var/f
          op: create
    network:
        hostname: 12345
        interfaces:
            - interface: eth0
              dhcp: yes
              mtu: 0x5dc
              vlans:
                  - vlanId: 1_0
cluster: {}
`;
    const cfg = loadMachineConfig(text);
    const machine = cfg.documents[0]!.data.machine as Json;
    expect(machine.files[0].permissions).toBe(0o644);
    expect(machine.network.hostname).toBe("12345");
    expect(machine.network.interfaces[0]).toMatchObject({ dhcp: true, mtu: 1500, vlans: [{ vlanId: 10 }] });
  });

  it("skips empty documents and accepts a leading byte-order mark", () => {
    const cfg = loadMachineConfig(`\uFEFF---\n---\n${LEGACY}---\n# only a comment\n`);
    expect(cfg.documents).toHaveLength(1);
  });

  it("accepts the deprecated fields Talos still decodes (persist, machine.network.interfaces, registries)", () => {
    const text = `persist: true
machine:
    type: worker
    registries:
        mirrors:
            docker.io:
                endpoints: [https://mirror.example.com]
    network:
        interfaces:
            - deviceSelector: {busPath: "0*"}
              bond: {interfaces: [eth0, eth1], mode: 802.3ad}
    features: {rbac: true, stableHostname: true}
cluster: {allowSchedulingOnMasters: true}
`;
    expect(loadMachineConfig(text).documents[0]!.kind).toBe("v1alpha1");
  });

  it("keeps $patch: delete markers only when allowed", () => {
    const text = `machine:
    network:
        interfaces:
            - interface: eth0
              $patch: delete
    nodeLabels:
        foo:
            $patch: delete
---
apiVersion: v1alpha1
kind: KubePrismConfig
$patch: delete
`;
    const cfg = loadMachineConfig(text, { allowPatchDelete: true });
    const machine = cfg.documents[0]!.data.machine as Json;
    expect(machine.network.interfaces[0]).toEqual({ interface: "eth0", $patch: "delete" });
    expect(machine.nodeLabels.foo).toEqual({ $patch: "delete" });
    expect(cfg.documents[1]!.data.$patch).toBe("delete");

    expect(problems(text)).toEqual([
      {
        document: "v1alpha1",
        path: "machine.network.interfaces.0.$patch",
        at: "5:15",
        detail: 'unknown key "$patch"',
      },
      {
        document: "v1alpha1",
        path: "machine.nodeLabels.foo",
        at: "8:13",
        detail: "expected a string, got a mapping",
      },
      { document: "KubePrismConfig", path: "$patch", at: "12:1", detail: 'unknown key "$patch"' },
    ]);
    expect(
      problems("machine:\n    network:\n        hostname: {$patch: remove}\n", { allowPatchDelete: true }),
    ).toEqual([
      {
        document: "v1alpha1",
        path: "machine.network.hostname.$patch",
        at: "3:28",
        detail: '$patch only supports the value "delete"',
      },
    ]);
  });

  it("loads a config for an older contract with that contract's kinds", () => {
    const text = `${LEGACY}---\napiVersion: v1alpha1\nkind: KubePrismConfig\nport: 1\n`;
    expect(problems(text, { contract: "v1.12" })).toEqual([
      {
        document: "KubePrismConfig",
        path: "kind",
        at: "15:1",
        detail: 'unknown document kind "KubePrismConfig" (apiVersion v1alpha1)',
      },
    ]);
    expect(loadMachineConfig(text, { contract: "1.15" }).documents).toHaveLength(2);
  });
});

describe("loadMachineConfig: every problem, with file, document, path and line:col", () => {
  it("reports unknown keys and wrong types all at once", () => {
    const text = `machine:
  type: worker
  tokn: x
  certSANs: foo
  network:
    interfaces:
      - interface: eth0
        mtu: "1500"
        dhcp: "yes"
        addresses: {a: 1}
  kubelet:
    extraArgs: [a]
cluster: []
`;
    expect(problems(text)).toEqual([
      { document: "v1alpha1", path: "machine.tokn", at: "3:3", detail: 'unknown key "tokn"' },
      {
        document: "v1alpha1",
        path: "machine.certSANs",
        at: "4:13",
        detail: 'expected a list, got a string ("foo")',
      },
      {
        document: "v1alpha1",
        path: "machine.network.interfaces.0.mtu",
        at: "8:14",
        detail: 'expected an integer, got a string ("1500")',
      },
      {
        document: "v1alpha1",
        path: "machine.network.interfaces.0.dhcp",
        at: "9:15",
        detail: 'expected a boolean, got a string ("yes")',
      },
      {
        document: "v1alpha1",
        path: "machine.network.interfaces.0.addresses",
        at: "10:20",
        detail: "expected a list, got a mapping",
      },
      {
        document: "v1alpha1",
        path: "machine.kubelet.extraArgs",
        at: "12:16",
        detail: "expected a mapping, got a list",
      },
      { document: "v1alpha1", path: "cluster", at: "13:10", detail: "expected a mapping, got a list" },
    ]);
  });

  it("formats each problem as one line naming file, document, path and line", () => {
    try {
      loadMachineConfig("machine:\n  tokn: x\n", { file: "worker.yaml" });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toBe(
        'worker.yaml: document v1alpha1: machine.tokn (line 2:3): unknown key "tokn"',
      );
      expect((err as ConfigErrors).problems[0]).toBeInstanceOf(ConfigError);
    }
  });

  it("checks values Talos decodes into typed Go values", () => {
    const text = `apiVersion: v1alpha1
kind: LinkConfig
name: eth0
addresses:
  - address: 10.0.0.300/24
  - address: 10.0.0.3/24
routes:
  - gateway: 10.0.0.1.5
    destination: 10.0.0.0/99
---
apiVersion: v1alpha1
kind: FilesystemTrimConfig
interval: 1 week
`;
    expect(problems(text)).toEqual([
      {
        document: "LinkConfig/eth0",
        path: "addresses.0.address",
        at: "5:14",
        detail: '"10.0.0.300/24" is not a CIDR prefix (address/bits)',
      },
      {
        document: "LinkConfig/eth0",
        path: "routes.0.gateway",
        at: "8:14",
        detail: '"10.0.0.1.5" is not an IP address',
      },
      {
        document: "LinkConfig/eth0",
        path: "routes.0.destination",
        at: "9:18",
        detail: '"10.0.0.0/99" is not a CIDR prefix (address/bits)',
      },
      {
        document: "FilesystemTrimConfig",
        path: "interval",
        at: "13:11",
        detail: '"1 week" is not a duration (e.g. "30s", "1h30m")',
      },
    ]);
  });

  it("rejects unknown kinds and apiVersions, and documents without kind or apiVersion", () => {
    const text = `apiVersion: v1alpha1
kind: FooConfig
---
apiVersion: v1beta1
kind: KubePrismConfig
---
kind: HostnameConfig
---
apiVersion: v1alpha1
---
apiVersion: v1alpha1
kind: [HostnameConfig]
`;
    expect(problems(text)).toEqual([
      {
        document: "FooConfig",
        path: "kind",
        at: "2:1",
        detail: 'unknown document kind "FooConfig" (apiVersion v1alpha1)',
      },
      {
        document: "KubePrismConfig",
        path: "apiVersion",
        at: "4:1",
        detail: 'apiVersion "v1beta1" is not registered for kind KubePrismConfig (expected v1alpha1)',
      },
      { document: "HostnameConfig", path: "", at: "7:1", detail: "missing apiVersion" },
      { document: "#4", path: "", at: "9:1", detail: "missing kind" },
      { document: "#5", path: "kind", at: "12:1", detail: "kind must be a string" },
    ]);
  });

  it("loads named kinds without a name (validation words it, as Talos does), but not a name that is no string", () => {
    const text = `apiVersion: v1alpha1
kind: UserVolumeConfig
provisioning: {}
---
apiVersion: v1alpha1
kind: LinkConfig
name: ""
---
apiVersion: v1alpha1
kind: DummyLinkConfig
name: [a]
`;
    expect(problems(text)).toEqual([
      { document: "DummyLinkConfig", path: "name", at: "11:7", detail: "expected a string, got a list" },
    ]);
  });

  it("rejects duplicate documents unless allowed, and conflicting kinds with one name", () => {
    const text = `${LEGACY}---
apiVersion: v1alpha1
kind: HostnameConfig
auto: stable
---
apiVersion: v1alpha1
kind: HostnameConfig
hostname: foo
---
machine: {type: worker}
---
apiVersion: v1alpha1
kind: UserVolumeConfig
name: data
---
apiVersion: v1alpha1
kind: ExistingVolumeConfig
name: data
`;
    expect(problems(text)).toEqual([
      {
        document: "HostnameConfig",
        path: "",
        at: "18:1",
        detail: "duplicate document: HostnameConfig/",
      },
      {
        document: "v1alpha1",
        path: "",
        at: "22:1",
        detail: "duplicate v1alpha1.Config",
      },
      {
        document: "ExistingVolumeConfig/data",
        path: "",
        at: "28:1",
        detail: "conflicting documents: UserVolumeConfig/data and ExistingVolumeConfig/data",
      },
    ]);
    const patch = loadMachineConfig(text, { allowDuplicates: true, allowPatchDelete: true });
    expect(patch.documents).toHaveLength(6);
  });

  it("requires the v1alpha1 document when asked to", () => {
    const text = "apiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n";
    expect(loadMachineConfig(text).documents).toHaveLength(1);
    expect(problems(text, { requireV1Alpha1: true })).toEqual([
      {
        document: "v1alpha1",
        path: "",
        at: undefined,
        detail: "the v1alpha1 document (machine and cluster instructions) is missing",
      },
    ]);
  });

  it("reports YAML syntax errors with their line, and non-mapping documents", () => {
    expect(problems("machine:\n  type: worker\n  token: [a\ncluster: {}\n")).toEqual([
      expect.objectContaining({ document: "#1", path: "", at: expect.stringMatching(/^[34]:\d+$/) }),
    ]);
    // A duplicate key is the decoder's problem (go-yaml's wording), found at the second key.
    expect(problems("machine:\n  type: a\n  type: b\n")[0]).toMatchObject({
      document: "v1alpha1",
      at: "3:3",
    });
    expect(problems(`${LEGACY}---\n- just\n- a list\n`)).toEqual([
      { document: "#2", path: "", at: "14:1", detail: "expected a YAML mapping document" },
    ]);
  });

  it("fails on an empty config", () => {
    expect(problems("")).toEqual([
      { document: "", path: "", at: undefined, detail: "config not found: no documents" },
    ]);
    expect(problems("# nothing\n---\n")).toHaveLength(1);
  });
});

describe("loadMachineConfig: hostile input", () => {
  const laughs = (field: string) => `apiVersion: v1alpha1
kind: KubeAuditPolicyConfig
configuration:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
${field}: *i
`;

  /**
   * CPU milliseconds this process spent since `started`: a bound on work done, which a loaded
   * machine does not stretch the way it stretches wall time.
   */
  const cpuMs = (started: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };

  it("refuses a billion-laughs document in well under a second", () => {
    const started = process.cpuUsage();
    const found = problems(laughs("x"));
    expect(cpuMs(started)).toBeLessThan(500);
    expect(found.at(-1)?.detail).toMatch(/too many YAML alias expansions|aliases expand to more than/);
  });

  it("refuses one alias of a huge anchor", () => {
    const big = Array.from({ length: 5_000 }, (_, i) => `  - "${i}"`).join("\n");
    const copies = Array.from({ length: 21 }, (_, i) => `  copy${i}: *big`).join("\n");
    const text = `apiVersion: v1alpha1\nkind: KubeAuditPolicyConfig\nconfiguration:\n  rules: &big\n${big}\n${copies}\n`;
    const started = process.cpuUsage();
    expect(problems(text).at(-1)?.detail).toMatch(/aliases expand to more than 100000 nodes/);
    expect(cpuMs(started)).toBeLessThan(3000);
  });

  it("accepts a few ordinary aliases", () => {
    const text = `machine:
  type: worker
  certSANs: &sans [a, b]
  kubelet:
    clusterDNS: *sans
cluster: {}
`;
    const machine = loadMachineConfig(text).documents[0]!.data.machine as Json;
    expect(machine.kubelet.clusterDNS).toEqual(["a", "b"]);
  });

  it("refuses input over the size cap before parsing", () => {
    const text = `# ${"x".repeat(MAX_CONFIG_BYTES)}\n`;
    const started = process.cpuUsage();
    expect(problems(text)).toEqual([
      expect.objectContaining({
        detail: expect.stringMatching(/^config is too large: \d+ bytes \(the limit is 33554432 bytes\)$/),
      }),
    ]);
    expect(cpuMs(started)).toBeLessThan(1000);
  });

  it("refuses binary garbage: NUL bytes and invalid UTF-8", () => {
    expect(problems("machine:\n  type: w\u0000orker\n")).toEqual([
      {
        document: undefined,
        path: undefined,
        at: undefined,
        detail: "not a YAML config: binary data (NUL character at line 2:10)",
      },
    ]);
    expect(problems(new Uint8Array([0x6d, 0x3a, 0x20, 0xc3, 0x28, 0x0a]))).toEqual([
      {
        document: undefined,
        path: undefined,
        at: undefined,
        detail: "not a YAML config: invalid UTF-8 at byte offset 3",
      },
    ]);
    const random = new Uint8Array(4096);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 256;
    expect(problems(random)).toHaveLength(1);
  });

  it("refuses absurd nesting quickly instead of overflowing the stack", () => {
    for (const text of [`a: ${"[".repeat(100_000)}`, `${"- ".repeat(50_000)}x\n`]) {
      const started = process.cpuUsage();
      expect(problems(text)).toEqual([
        expect.objectContaining({ detail: `YAML nesting is deeper than ${MAX_NESTING_DEPTH} levels` }),
      ]);
      expect(cpuMs(started)).toBeLessThan(500);
    }
    expect(roughNestingDepth('a: "[[[[" # {{{{\nb: [[1], {c: [2]}]\n- - - x\n')).toBe(3);
  });

  it("finds duplicate keys with go-yaml's message, at the second key", () => {
    expect(problems("machine:\n  type: worker\n  certSANs: [a]\n  type: controlplane\n")).toEqual([
      {
        document: "v1alpha1",
        path: "machine.type",
        at: "4:3",
        detail: 'mapping key "type" already defined at line 2',
      },
    ]);
    // Free-form data and maps are checked as well.
    expect(problems("machine:\n  sysctls:\n    a: x\n    a: y\n").map((p) => p.detail)).toEqual([
      'mapping key "a" already defined at line 3',
    ]);
  });

  it("refuses a config over the token budget before parsing all of it", () => {
    // Flow items are three tokens each (scalar start, scalar, comma).
    const count = Math.ceil(MAX_YAML_TOKENS / 3) + 10;
    const text = `machine:\n  certSANs: [${"a,".repeat(count)}a]\n`;
    expect(problems(text)).toEqual([
      expect.objectContaining({
        detail: `config is too complex: more than ${MAX_YAML_TOKENS} YAML tokens (keys, values, indicators, comments)`,
      }),
    ]);
  });

  it(`stops after ${MAX_REPORTED_PROBLEMS} problems`, () => {
    const keys = Array.from({ length: 500 }, (_, i) => `  bogus${i}: x`).join("\n");
    const found = problems(`machine:\n${keys}\n`);
    expect(found).toHaveLength(MAX_REPORTED_PROBLEMS + 1);
    expect(found[0]?.detail).toBe('unknown key "bogus0"');
    expect(found.at(-1)).toEqual({
      document: "v1alpha1",
      path: "",
      at: undefined,
      detail: `too many problems (more than ${MAX_REPORTED_PROBLEMS}); stopped loading`,
    });
  });
});

describe("loadMachineConfigFile", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-load-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("loads a file and names it in messages", async () => {
    const file = path.join(dir, "ok.yaml");
    fs.writeFileSync(file, LEGACY);
    const cfg = await loadMachineConfigFile(file, { file: "ok.yaml" });
    expect(cfg.file).toBe("ok.yaml");
    fs.writeFileSync(file, "machine:\n  tokn: x\n");
    await expect(loadMachineConfigFile(file)).rejects.toThrow(
      `${file}: document v1alpha1: machine.tokn (line 2:3)`,
    );
  });

  it("says in one line when the file is missing or a directory", async () => {
    await expect(
      loadMachineConfigFile(path.join(dir, "missing.yaml"), { file: "missing.yaml" }),
    ).rejects.toThrow(/^missing\.yaml: cannot read config: no such file$/);
    await expect(loadMachineConfigFile(dir, { file: "somedir" })).rejects.toThrow(
      /^somedir: is a directory, not a config file$/,
    );
  });
});
