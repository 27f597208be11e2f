import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClientContext, emptyClientConfig, encodeClientConfig } from "../clientconfig/index.js";
import { createCertificateAuthority, issueClientCertificate } from "../pki/index.js";
import { NODES_NOT_SET, openClient, requireOneNode } from "./factory.js";

let dir: string;
let good: ClientContext;

const b64 = (s: string) => Buffer.from(s).toString("base64");

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-factory-"));
  const now = new Date();
  const ca = await createCertificateAuthority({ organization: "talos", keyKind: "ed25519", now });
  const pair = await issueClientCertificate({ ca, roles: ["os:admin"], ttlMs: 3_600_000, now });
  good = {
    endpoints: ["10.5.0.2"],
    nodes: ["10.5.0.3", "10.5.0.4"],
    ca: b64(ca.crt),
    crt: b64(pair.crt),
    key: b64(pair.key),
  };
});

function configFile(name: string, contexts: Record<string, ClientContext>, current = "main"): string {
  const file = path.join(dir, name);
  const config = emptyClientConfig();
  config.context = current;
  Object.assign(config.contexts, contexts);
  fs.writeFileSync(file, encodeClientConfig(config));
  return file;
}

function open(flags: Partial<Parameters<typeof openClient>[0]>) {
  const opened = openClient(
    { nodes: [], endpoints: [], ...flags },
    { env: {}, homedir: dir, cwd: dir, signal: new AbortController().signal },
  );
  opened.client.close();
  return opened;
}

describe("openClient", () => {
  it("takes nodes and endpoints from the context unless flags name them", () => {
    const file = configFile("a.yaml", { main: good });
    expect(open({ talosconfig: file }).nodes).toEqual(["10.5.0.3", "10.5.0.4"]);
    const flagged = open({ talosconfig: file, nodes: ["n9"], endpoints: ["e1:1"] });
    expect(flagged.nodes).toEqual(["n9"]);
    expect(flagged.client.endpoints).toEqual(["e1:1"]);
    expect(flagged.context?.name).toBe("main");
  });

  it("says when nodes or endpoints are missing", () => {
    const noNodes = configFile("b.yaml", { main: { ...good, nodes: [] } });
    expect(() => open({ talosconfig: noNodes })).toThrow(NODES_NOT_SET);
    expect(open({ talosconfig: noNodes, nodes: ["x"] }).nodes).toEqual(["x"]);
    const noEndpoints = configFile("c.yaml", { main: { ...good, endpoints: [] } });
    expect(() => open({ talosconfig: noEndpoints })).toThrow("failed to determine endpoints");
    expect(() => open({ talosconfig: noEndpoints, endpoints: ["bad:port:x"] })).toThrow(
      'invalid endpoint "bad:port:x"',
    );
  });

  it("passes the talosconfig's own errors on", () => {
    const file = configFile("d.yaml", { main: good });
    expect(() => open({ talosconfig: file, context: "other" })).toThrow(
      'context "other" not found in config',
    );
  });

  it("words an empty or missing talosconfig as talosctl does", () => {
    // A missing file is created empty; talosctl then finds no endpoints, or with -e no context.
    const fresh = path.join(dir, "new.yaml");
    expect(() => open({ talosconfig: fresh, nodes: ["n"] })).toThrow(/^failed to determine endpoints$/);
    expect(fs.existsSync(fresh)).toBe(true);
    const blank = path.join(dir, "blank.yaml");
    fs.writeFileSync(blank, "");
    expect(() => open({ talosconfig: blank })).toThrow(/^failed to determine endpoints$/);
    expect(() => open({ talosconfig: blank, endpoints: ["10.5.0.2"] })).toThrow(
      /^failed to create client connection: failed to resolve configuration context: talos config file is empty$/,
    );
    expect(() => open({ talosconfig: blank, endpoints: ["10.5.0.2"], context: "x" })).toThrow(
      'context "x" not found in config',
    );
  });

  it("checks the context's credentials", () => {
    const half = configFile("e.yaml", { main: { ...good, key: undefined } as ClientContext });
    expect(() => open({ talosconfig: half })).toThrow(
      'context "main": the client certificate (crt) and key (key) must be set together',
    );
    const proxied = configFile("f.yaml", { main: { ...good, proxyUrl: "socks5://p:1080" } });
    expect(() => open({ talosconfig: proxied })).toThrow('proxy-url "socks5://p:1080" is not supported');
    expect(
      open({ talosconfig: configFile("g.yaml", { main: { ...good, proxyUrl: "direct" } }) }).nodes,
    ).toHaveLength(2);
  });

  it("opens maintenance clients without reading any talosconfig", () => {
    const missing = path.join(dir, "never-created.yaml");
    const opened = open({ talosconfig: missing, insecure: true, nodes: ["10.5.0.9:50001"] });
    expect(opened.client.direct).toBe(true);
    expect(opened.context).toBeUndefined();
    expect(fs.existsSync(missing)).toBe(false);
    expect(() => open({ insecure: true })).toThrow(NODES_NOT_SET);
    expect(() => open({ insecure: true, nodes: ["n"], certFingerprints: ["nope"] })).toThrow(
      "--cert-fingerprint",
    );
    expect(() =>
      open({ talosconfig: missing, nodes: ["n"], certFingerprints: [Buffer.alloc(32).toString("base64")] }),
    ).toThrow("--cert-fingerprint is only used with --insecure");
  });
});

describe("requireOneNode", () => {
  it("enforces a single node where the command needs one", () => {
    expect(requireOneNode("config new", ["a"])).toBe("a");
    expect(() => requireOneNode("config new", ["a", "b"])).toThrow(
      'command "config new" requires exactly one node (got 2)',
    );
    expect(() => requireOneNode("config new", [])).toThrow("(got 0)");
  });
});
