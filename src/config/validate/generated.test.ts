// Configs `gen config` writes pass `validate --strict` under the rules of the contract they are
// generated for, in every mode they are meant for.
import { beforeAll, describe, expect, it } from "vitest";
import type { SecretsBundle } from "../../pki/index.js";
import {
  CURRENT_CONTRACT,
  contractVersionString,
  type GenerateOptions,
  gates,
  generateConfigs,
  parseTalosVersion,
  type VersionContract,
} from "../generate/index.js";
import { fastKeygen, legacyShapedBundle } from "../generate/testkit.js";
import { loadMachineConfig } from "../load/index.js";
import { VALIDATION_MODES, type ValidationMode, validateMachineConfig } from "./index.js";

const CONTRACTS: readonly VersionContract[] = [
  ...Array.from({ length: 16 }, (_, i) => parseTalosVersion(`v1.${i}`)),
  CURRENT_CONTRACT,
];
const label = (c: VersionContract) => (c.current ? "current" : `v${c.major}.${c.minor}`);

/**
 * The modes a contract's output is meant for: container mode needs host DNS forwarding kube-dns
 * to the host, which configs write since contract 1.8 (older ones are patched for containers).
 */
function modesFor(contract: VersionContract, modes: readonly ValidationMode[]): ValidationMode[] {
  return modes.filter((m) => m !== "container" || gates.hostDNSForwardKubeDNSToHost(contract));
}

let modern: SecretsBundle;
let aescbc: SecretsBundle;

beforeAll(async () => {
  modern = await legacyShapedBundle();
  aescbc = await legacyShapedBundle(parseTalosVersion("v1.2"));
});

/** Every problem of one generated config under its contract's rules, strict. */
function problems(text: string, contract: VersionContract, mode: ValidationMode): string[] {
  const version = contractVersionString(contract);
  const config = loadMachineConfig(text, { file: "gen.yaml", contract: version });
  const r = validateMachineConfig(config, { mode, strict: true, contract: version });
  return [...r.errors, ...r.warnings].map((e) => e.message);
}

async function generated(contract: VersionContract, extra: Partial<GenerateOptions> = {}) {
  return generateConfigs({
    clusterName: "demo",
    endpoint: "https://10.5.0.2:6443",
    contract,
    secrets: !contract.current && contract.minor <= 2 ? aescbc : modern,
    keygen: fastKeygen,
    ...extra,
  });
}

describe("gen config output passes validate --strict", () => {
  it("older contracts are not meant for container mode as generated", async () => {
    const contract = parseTalosVersion("v1.7");
    expect(problems((await generated(contract)).worker, contract, "container")).toEqual([
      "gen.yaml: document v1alpha1: machine.features.hostDNS.forwardKubeDNSToHost (line 28:9): feature HostDNS should forward kube-dns to host in container mode (.machine.features.hostDNS.forwardKubeDNSToHost)",
    ]);
  });

  it.each(CONTRACTS.map((c) => [label(c), c] as const))("contract %s, every mode", async (_l, contract) => {
    const out = await generated(contract);
    for (const [name, text] of [
      ["controlplane", out.controlplane],
      ["worker", out.worker],
    ] as const) {
      for (const mode of modesFor(contract, VALIDATION_MODES)) {
        expect(problems(text, contract, mode), `${name} ${mode}`).toEqual([]);
      }
    }
  });

  it.each(CONTRACTS.map((c) => [label(c), c] as const))("contract %s with KubeSpan", async (_l, contract) => {
    const out = await generated(contract, { kubeSpan: true });
    for (const text of [out.controlplane, out.worker]) {
      expect(problems(text, contract, "metal")).toEqual([]);
    }
  });

  it.each(CONTRACTS.map((c) => [label(c), c] as const))(
    "contract %s without install settings, for modes that need none",
    async (_l, contract) => {
      const out = await generated(contract, { installDisk: "" });
      for (const text of [out.controlplane, out.worker]) {
        for (const mode of modesFor(contract, ["cloud", "container", "metal-agent"]))
          expect(problems(text, contract, mode), mode).toEqual([]);
      }
    },
  );
});
