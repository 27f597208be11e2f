// The `gen config` pipeline as a library: one input and one secrets bundle give the init,
// control plane and worker configs; patches apply to them in Talos's order; a fresh admin
// certificate gives the talosconfig. Nothing here touches files or the terminal.
import { type ClientConfig, encodeClientConfig, newContextMap } from "../../clientconfig/index.js";
import { UserError } from "../../errors.js";
import {
  ADMIN_CERTIFICATE_VALIDITY_MS,
  generateBundle,
  issueClientCertificate,
  type KeyGenerator,
  ROLE,
  type SecretsBundle,
} from "../../pki/index.js";
import { DEFAULT_KUBERNETES_VERSION } from "../../version.js";
import type { ConfigDocument, MachineConfigDocuments } from "../document.js";
import { LEGACY_KIND } from "../document.js";
import { type CommentOptions, encodeMachineConfig } from "../encode/index.js";
import { applyPatches, loadPatches, type Patch } from "../patch/index.js";
import { CURRENT_CONTRACT, contractVersionString, gates, type VersionContract } from "./contract.js";
import { validateClusterEndpoint } from "./endpoint.js";
import { base64, type GenerateInput, type MachineType, type RegistryMirror } from "./input.js";
import { latestDocuments } from "./latest.js";
import { legacyDocuments } from "./legacy.js";
import {
  checkClusterName,
  checkDnsDomain,
  DEFAULT_DNS_DOMAIN,
  DEFAULT_INSTALL_DISK,
  defaultInstallImage,
  parseKubernetesVersion,
} from "./options.js";

/** Patches per target, in the order they apply: all targets first, then one kind of machine. */
export interface ConfigPatches {
  /** `--config-patch`: init, control plane and worker. */
  readonly all?: readonly Patch[];
  /** `--config-patch-control-plane`: init and control plane. */
  readonly controlPlane?: readonly Patch[];
  /** `--config-patch-worker`: worker. */
  readonly worker?: readonly Patch[];
}

export interface GenerateOptions {
  readonly clusterName: string;
  /** The Kubernetes API URL; must be https:// (checked as `gen config` checks it). */
  readonly endpoint: string;
  /** Default: the current contract. */
  readonly contract?: VersionContract;
  /** Default: the toolkit's Kubernetes version; a leading "v" is dropped. */
  readonly kubernetesVersion?: string;
  /** Default /dev/sda; "" leaves the install settings out. */
  readonly installDisk?: string;
  /** Default: the image factory's metal installer of this toolkit's Talos version. */
  readonly installImage?: string;
  readonly dnsDomain?: string;
  readonly additionalSANs?: readonly string[];
  readonly registryMirrors?: readonly RegistryMirror[];
  /** Cluster discovery through the discovery service (default on). */
  readonly discovery?: boolean;
  readonly kubeSpan?: boolean;
  /** The hidden --skip-k8s-etcd: a config without Kubernetes or etcd. */
  readonly skipKubernetesAndEtcd?: boolean;
  /** A bundle to reuse (--with-secrets); a fresh one is generated otherwise. */
  readonly secrets?: SecretsBundle;
  /** Comment options of the written configs (default: no comments). */
  readonly comments?: boolean | CommentOptions;
  readonly patches?: ConfigPatches;
  /** Roles of the admin client certificate (default os:admin). */
  readonly roles?: readonly string[];
  readonly now?: Date;
  /** Key maker (tests inject a fast one). */
  readonly keygen?: KeyGenerator;
  /** Told of progress ("generating PKI and tokens"). */
  readonly log?: (line: string) => void;
}

export interface GeneratedDocuments {
  readonly init: MachineConfigDocuments;
  readonly controlplane: MachineConfigDocuments;
  readonly worker: MachineConfigDocuments;
}

export interface GeneratedConfigs {
  /** controlplane.yaml */
  readonly controlplane: string;
  /** worker.yaml */
  readonly worker: string;
  /** talosconfig */
  readonly talosconfig: string;
  readonly clientConfig: ClientConfig;
  /** The bundle every config was made from. */
  readonly secrets: SecretsBundle;
  /** The configs as documents, after patches. */
  readonly documents: GeneratedDocuments;
  readonly contract: VersionContract;
}

/**
 * Runs the whole pipeline after the command's own flag checks, in the order of siderolabs/talos:
 * cmd/talosctl/cmd/mgmt/gen/config.go: PKI and tokens, the init, control plane and worker configs
 * from one input, their patches, then the admin certificate and talosconfig.
 */
export async function generateConfigs(options: GenerateOptions): Promise<GeneratedConfigs> {
  const contract = options.contract ?? CURRENT_CONTRACT;
  const now = options.now ?? new Date();
  const endpoint = validateClusterEndpoint(options.endpoint);
  checkClusterName(options.clusterName);
  const dnsDomain = options.dnsDomain ?? DEFAULT_DNS_DOMAIN;
  checkDnsDomain(dnsDomain);
  const kubernetesVersion = parseKubernetesVersion(options.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION);

  options.log?.("generating PKI and tokens");
  const secrets =
    options.secrets ??
    (await generateBundle({ contract, now, ...(options.keygen ? { keygen: options.keygen } : {}) }));

  const input: GenerateInput = {
    contract,
    clusterName: options.clusterName,
    endpoint,
    kubernetesVersion,
    installDisk: options.installDisk ?? DEFAULT_INSTALL_DISK,
    installImage: options.installImage ?? defaultInstallImage(),
    dnsDomain,
    additionalSANs: options.additionalSANs ?? [],
    registryMirrors: options.registryMirrors ?? [],
    discovery: options.discovery ?? true,
    kubeSpan: options.kubeSpan ?? false,
    kubernetes: !options.skipKubernetesAndEtcd,
    secrets,
  };

  let init = buildMachineConfig(input, "init");
  let controlplane = buildMachineConfig(input, "controlplane");
  let worker = buildMachineConfig(input, "worker");

  const patches = options.patches ?? {};
  const wrap = (what: string, run: () => MachineConfigDocuments) => {
    try {
      return run();
    } catch (err) {
      if (err instanceof UserError) {
        throw new UserError(`failed to generate config bundle: ${what}: ${err.message}`, { cause: err });
      }
      throw err;
    }
  };
  if (patches.all && patches.all.length > 0) {
    const all = patches.all;
    init = wrap("error patching configs", () => patch(init, all));
    controlplane = wrap("error patching configs", () => patch(controlplane, all));
    worker = wrap("error patching configs", () => patch(worker, all));
  }
  if (patches.controlPlane && patches.controlPlane.length > 0) {
    const cp = patches.controlPlane;
    init = wrap("error patching control plane configs", () => patch(init, cp));
    controlplane = wrap("error patching control plane configs", () => patch(controlplane, cp));
  }
  if (patches.worker && patches.worker.length > 0) {
    const w = patches.worker;
    worker = wrap("error patching worker config", () => patch(worker, w));
  }

  const encodeOptions = { comments: options.comments ?? false, contract: contractVersionString(contract) };
  const clientConfig = await adminClientConfig(options.clusterName, secrets, {
    now,
    roles: options.roles ?? [ROLE.admin],
    ...(options.keygen ? { keygen: options.keygen } : {}),
  });
  return {
    controlplane: encodeMachineConfig(controlplane, encodeOptions),
    worker: encodeMachineConfig(worker, encodeOptions),
    talosconfig: encodeClientConfig(clientConfig),
    clientConfig,
    secrets,
    documents: { init, controlplane, worker },
    contract,
  };
}

/** The documents of one machine type, unpatched, in the layout of the input's contract. */
export function buildMachineConfig(input: GenerateInput, type: MachineType): MachineConfigDocuments {
  const data = gates.multidocKubernetes(input.contract)
    ? latestDocuments(input, type)
    : legacyDocuments(input, type);
  return { documents: data.map(toDocument) };
}

function toDocument(data: Record<string, unknown>): ConfigDocument {
  const legacy = !("kind" in data);
  const name = typeof data.name === "string" && !legacy ? data.name : undefined;
  return {
    apiVersion: "v1alpha1",
    kind: legacy ? LEGACY_KIND : String(data.kind),
    ...(name !== undefined ? { name } : {}),
    data,
    position: () => undefined,
  };
}

function patch(config: MachineConfigDocuments, patches: readonly Patch[]): MachineConfigDocuments {
  const out = applyPatches({ documents: config.documents }, patches);
  return { documents: out.documents().map((d) => toDocument(d.data)) };
}

/**
 * Loads `--config-patch*` values. Failures read as talosctl words them
 * (`error parsing config JSON patch: ...`), naming the patch.
 */
export function loadConfigPatches(values: readonly string[], cwd: string): Patch[] {
  try {
    return loadPatches(values, { cwd });
  } catch (err) {
    if (err instanceof UserError) {
      throw new UserError(`error parsing config JSON patch: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

interface AdminOptions {
  readonly now: Date;
  readonly roles: readonly string[];
  readonly keygen?: KeyGenerator;
}

/**
 * The talosconfig of a new cluster: one context named after the cluster, no endpoints yet, the
 * Talos API CA and a fresh admin client certificate valid for a year.
 */
export async function adminClientConfig(
  clusterName: string,
  secrets: SecretsBundle,
  options: AdminOptions,
): Promise<ClientConfig> {
  const admin = await issueClientCertificate({
    ca: secrets.certs.os,
    roles: options.roles,
    ttlMs: ADMIN_CERTIFICATE_VALIDITY_MS,
    now: options.now,
    ...(options.keygen ? { keygen: options.keygen } : {}),
  });
  const contexts = newContextMap();
  contexts[clusterName] = {
    endpoints: [],
    ca: base64(secrets.certs.os.crt),
    crt: base64(admin.crt),
    key: base64(admin.key),
  };
  return { context: clusterName, contexts };
}
