import path from "node:path";
import { describe, expect, it } from "vitest";
import { endpointHostname } from "./endpoint.js";
import {
  checkConfigVersion,
  defaultInstallImage,
  gates,
  parseKubernetesVersion,
  parseRegistryMirrors,
  parseTalosVersion,
  planOutputs,
  validateClusterEndpoint,
} from "./index.js";

describe("validateClusterEndpoint", () => {
  it("returns valid endpoints as written, with the scheme in lower case", () => {
    expect(validateClusterEndpoint("https://10.0.0.1")).toBe("https://10.0.0.1");
    expect(validateClusterEndpoint("HTTPS://cp.example.org:6443/")).toBe("https://cp.example.org:6443/");
    expect(validateClusterEndpoint("https://admin@cp.example.org:443")).toBe(
      "https://admin@cp.example.org:443",
    );
    expect(validateClusterEndpoint("https://[2001:db8::1]:6443")).toBe("https://[2001:db8::1]:6443");
  });

  it("suggests the https URL that was most likely meant", () => {
    const suggestion = (endpoint: string) => {
      try {
        validateClusterEndpoint(endpoint);
      } catch (err) {
        return (err as Error).message.split("\n")[1];
      }
      return undefined;
    };
    expect(suggestion("localhost")).toBe('try: "https://localhost:6443"');
    expect(suggestion("localhost:7000")).toBe('try: "https://localhost:7000"');
    expect(suggestion("10.0.0.1/api")).toBe('try: "https://10.0.0.1:6443/api"');
    expect(suggestion("fd00::1")).toBe('try: "https://[fd00::1]:6443"');
    expect(suggestion("[fd00::1]:6443")).toBe('try: "https://[fd00::1]:6443"');
    expect(suggestion("http://[fd00::1]")).toBe('try: "https://[fd00::1]:6443"');
    expect(suggestion("ftp://h:21/x?y")).toBe('try: "https://h:21/x?y"');
  });

  it("names the URL parser's complaint when the value has a slash", () => {
    expect(() => validateClusterEndpoint("https://bad host/")).toThrow(
      'failed to parse the cluster endpoint URL: parse "https://bad host/": invalid character " " in host name',
    );
    expect(() => validateClusterEndpoint("://x/")).toThrow(/missing protocol scheme/);
  });

  it("finds the hostname of an endpoint", () => {
    expect(endpointHostname("https://cp.example.org:6443/x")).toBe("cp.example.org");
    expect(endpointHostname("https://[fd00::1]:6443")).toBe("fd00::1");
    expect(endpointHostname("https://10.0.0.1")).toBe("10.0.0.1");
  });
});

describe("parseTalosVersion", () => {
  it("reads major and minor of v-prefixed or bare versions", () => {
    expect(parseTalosVersion("v1.13")).toEqual({ major: 1, minor: 13, current: false });
    expect(parseTalosVersion("1.8.3")).toEqual({ major: 1, minor: 8, current: false });
    expect(parseTalosVersion("v1.15.0-alpha.1")).toEqual({ major: 1, minor: 15, current: false });
    expect(parseTalosVersion("").current).toBe(true);
  });

  it("refuses what is not a version, and major versions it does not know", () => {
    expect(() => parseTalosVersion("1")).toThrow('invalid talos-version: error parsing version "1"');
    expect(() => parseTalosVersion("v1.x")).toThrow('invalid talos-version: error parsing version "v1.x"');
    expect(() => parseTalosVersion("1.13beta")).toThrow(/error parsing version/);
    expect(() => parseTalosVersion("v2.1")).toThrow(/^unknown talos-version "v2\.1"/);
  });

  it("treats future 1.x versions as the newest contract, as Talos does", () => {
    const future = parseTalosVersion("v1.20");
    for (const [name, gate] of Object.entries(gates)) {
      if (name === "alternateImageRegistries" || name === "populateClusterSANsFromEndpoint") continue;
      expect(gate(future), name).toBe(true);
    }
    expect(gates.populateClusterSANsFromEndpoint(future)).toBe(false);
  });
});

describe("flag values", () => {
  it("groups registry mirrors by host in the order given", () => {
    expect(parseRegistryMirrors(["a=https://1", "b=https://2", "a=https://3=x"])).toEqual([
      { host: "a", endpoints: ["https://1", "https://3=x"] },
      { host: "b", endpoints: ["https://2"] },
    ]);
    expect(() => parseRegistryMirrors(["=https://x"])).toThrow('invalid registry mirror spec: "=https://x"');
  });

  it("reads Kubernetes versions with or without v", () => {
    expect(parseKubernetesVersion("v1.36.0")).toBe("1.36.0");
    expect(parseKubernetesVersion("1.37.0-rc.1")).toBe("1.37.0-rc.1");
    expect(() => parseKubernetesVersion("")).toThrow(/invalid kubernetes-version ""/);
    expect(() => parseKubernetesVersion("1.36")).toThrow(/invalid kubernetes-version "1\.36"/);
  });

  it("knows only the v1alpha1 config version", () => {
    expect(() => checkConfigVersion("v1alpha1")).not.toThrow();
    expect(() => checkConfigVersion("v1")).toThrow('unknown config version: "v1"');
  });

  it("builds the default installer image from $TAG or the toolkit's Talos version", () => {
    expect(defaultInstallImage({ TAG: "v1.2.3" })).toMatch(
      /^factory\.talos\.dev\/metal-installer\/[0-9a-f]{64}:v1\.2\.3$/,
    );
    expect(defaultInstallImage({ TAG: "" })).toMatch(/:v\d+\.\d+\.\d+/);
  });
});

describe("planOutputs", () => {
  const cwd = "/work/here";
  it("writes every type to the current directory in a fixed order", () => {
    expect(planOutputs({ output: "", outputDir: "", types: ["talosconfig", "controlplane"], cwd })).toEqual({
      to: "files",
      files: [
        { type: "controlplane", path: path.join(cwd, "controlplane.yaml") },
        { type: "talosconfig", path: path.join(cwd, "talosconfig") },
      ],
    });
  });

  it("treats -o as a file for one type and as a directory for several", () => {
    expect(planOutputs({ output: "x.yaml", outputDir: "", types: ["worker"], cwd })).toEqual({
      to: "files",
      files: [{ type: "worker", path: "/work/here/x.yaml" }],
    });
    expect(planOutputs({ output: "/abs", outputDir: "", types: ["worker", "talosconfig"], cwd })).toEqual({
      to: "files",
      files: [
        { type: "worker", path: "/abs/worker.yaml" },
        { type: "talosconfig", path: "/abs/talosconfig" },
      ],
    });
    expect(planOutputs({ output: "-", outputDir: "", types: ["talosconfig"], cwd })).toEqual({
      to: "stdout",
      type: "talosconfig",
    });
  });
});
