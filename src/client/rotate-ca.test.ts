import { describe, expect, it } from "vitest";
import type { ConfigDocument } from "../config/document.js";
import {
  addAcceptedOsCa,
  dropOsCa,
  k8sAddAcceptedCa,
  k8sDeleteAcceptedCa,
  k8sSetCa,
  swapOsCa,
} from "./rotate-ca.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");
const OLD = "-----BEGIN CERTIFICATE-----\nold\n-----END CERTIFICATE-----\n";
const NEW = { crt: "-----BEGIN CERTIFICATE-----\nnew\n-----END CERTIFICATE-----\n", key: "new key" };

function doc(kind: string, data: Record<string, unknown>): ConfigDocument {
  return { apiVersion: "v1alpha1", kind, data, position: () => undefined };
}

function machineConfig(type: string, extra: ConfigDocument[] = []): ConfigDocument[] {
  return [
    doc("v1alpha1", {
      version: "v1alpha1",
      machine: { type, ca: { crt: b64(OLD), key: type === "worker" ? "" : b64("old key") } },
      cluster: { ca: { crt: b64(OLD), key: "" } },
    }),
    ...extra,
  ];
}

const machine = (docs: ConfigDocument[]): Record<string, unknown> =>
  (docs[0]!.data as { machine: Record<string, unknown> }).machine;

describe("the Talos API CA steps on a machine config", () => {
  it("accepts the new CA, swaps (key only on control planes), then drops the old one", () => {
    for (const type of ["controlplane", "worker"]) {
      const docs = machineConfig(type);
      addAcceptedOsCa(docs, NEW.crt);
      expect(machine(docs).acceptedCAs).toEqual([{ crt: b64(NEW.crt) }]);
      swapOsCa(docs, OLD, NEW);
      expect(machine(docs).acceptedCAs).toEqual([{ crt: b64(OLD) }]);
      expect(machine(docs).ca).toEqual({ crt: b64(NEW.crt), key: type === "worker" ? "" : b64(NEW.key) });
      dropOsCa(docs, OLD);
      // Emptied, the list is left out (Talos's field is omitempty).
      expect("acceptedCAs" in machine(docs)).toBe(false);
    }
  });
});

describe("the Kubernetes API CA steps", () => {
  it("edit cluster.acceptedCAs and cluster.ca in a config without a KubeAPIServerCAConfig", () => {
    const docs = machineConfig("worker");
    k8sAddAcceptedCa(docs, NEW.crt);
    const cluster = (docs[0]!.data as { cluster: Record<string, unknown> }).cluster;
    expect(cluster.acceptedCAs).toEqual([{ crt: b64(NEW.crt) }]);
    k8sSetCa(docs, NEW);
    expect(cluster.ca).toEqual({ crt: b64(NEW.crt), key: "" });
    k8sDeleteAcceptedCa(docs, NEW.crt);
    expect("acceptedCAs" in cluster).toBe(false);
  });

  it("edit the KubeAPIServerCAConfig document when there is one", () => {
    const cp = machineConfig("controlplane", [
      doc("KubeAPIServerCAConfig", { issuingCA: { cert: OLD, key: "k" } }),
    ]);
    k8sAddAcceptedCa(cp, OLD);
    k8sAddAcceptedCa(cp, OLD);
    k8sSetCa(cp, NEW);
    expect(cp[1]!.data).toEqual({ issuingCA: { cert: NEW.crt, key: NEW.key }, acceptedCAs: [OLD] });
    const worker = machineConfig("worker", [doc("KubeAPIServerCAConfig", { acceptedCAs: [OLD, NEW.crt] })]);
    k8sSetCa(worker, NEW);
    expect(worker[1]!.data.acceptedCAs).toEqual([NEW.crt, OLD]);
  });
});
