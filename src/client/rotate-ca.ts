// Rotation of the cluster's CAs from the client, step for step as talosctl's `rotate-ca`
// (siderolabs/talos: pkg/rotate/pki/talos, pkg/rotate/pki/kubernetes), with its `> ` progress
// lines. The Talos API CA: the new CA becomes accepted on every node, then issuing (the old one
// accepted), then the old one is dropped; connectivity is checked before and after each step
// with the client the step leaves working, and the new talosconfig is the result. The
// Kubernetes API CA goes the same way through the machine configs, with the cluster's
// Kubernetes API to check that every node is Ready (`KubernetesApi`, which this toolkit does
// not provide yet: a rotation that needs it is refused before it changes anything).
import { Code } from "@connectrpc/connect";
import {
  type ClientConfig,
  encodeClientConfig,
  newContextMap,
  resolveContext,
} from "../clientconfig/index.js";
import type { ConfigDocument, MachineConfigDocuments } from "../config/document.js";
import { LEGACY_KIND } from "../config/document.js";
import { type CommentOptions, encodeMachineConfig } from "../config/encode/index.js";
import { loadMachineConfig } from "../config/load/index.js";
import { TalosError, UserError } from "../errors.js";
import { ApplyConfigurationRequest_Mode } from "../gen/machine/machine_pb.js";
import {
  ADMIN_CERTIFICATE_VALIDITY_MS,
  type CertAndKeyPem,
  issueClientCertificate,
  ROLE,
} from "../pki/index.js";
import { goQuote } from "../wire/index.js";
import { createTalosClient, type NodeClient, type TalosClient } from "./client.js";
import { RpcError, toRpcError } from "./errors.js";
import { fetchMachineConfig, specData } from "./resources.js";
import { credentialsFromContext } from "./tls.js";

/** The nodes of the cluster by role (init nodes count as control planes). */
export interface RotationCluster {
  readonly controlPlanes: readonly string[];
  readonly workers: readonly string[];
}

export interface RotationCommon {
  /** Print the plan, change nothing. */
  readonly dryRun: boolean;
  readonly cluster: RotationCluster;
  /** Comments of the machine configs written back (talosctl's --with-docs, --with-examples). */
  readonly comments: CommentOptions;
  /** Where the `> ` lines go (talosctl prints them on stdout). */
  readonly print: (text: string) => void;
  readonly signal: AbortSignal;
}

export interface TalosRotation extends RotationCommon {
  /** A client with the current PKI. */
  readonly client: TalosClient;
  /** The talosconfig context the new talosconfig is named after. */
  readonly contextName: string;
  readonly endpoints: readonly string[];
  readonly newCa: CertAndKeyPem;
  readonly now: Date;
}

/** How long a step retries a node that is not reachable (its API restarting), and how often. */
export const STEP_RETRY_MS = 10_000;
const RETRY_INTERVAL_MS = 100;

const OS_ROOT = { namespace: "secrets", type: "OSRootSecrets.secrets.talos.dev", id: "os" };
const KUBERNETES_ROOT = { namespace: "secrets", type: "KubernetesRootSecrets.secrets.talos.dev", id: "k8s" };

const b64 = (text: string): string => Buffer.from(text).toString("base64");
const fromB64 = (text: unknown): string =>
  typeof text === "string" ? Buffer.from(text, "base64").toString() : "";

/** Go's %q of a string slice: `["a" "b"]`. */
function quotedList(items: readonly string[]): string {
  return `[${items.map(goQuote).join(" ")}]`;
}

/** A CA as Talos prints it (the YAML of x509.PEMEncodedCertificateAndKey), each line indented. */
function caLines(ca: CertAndKeyPem): string {
  return `  crt: ${b64(ca.crt)}\n  key: ${b64(ca.key) || '""'}\n`;
}

function allNodes(cluster: RotationCluster): string[] {
  return [...cluster.controlPlanes, ...cluster.workers];
}

function firstControlPlane(cluster: RotationCluster): string {
  const first = cluster.controlPlanes[0];
  if (first === undefined) {
    throw new UserError("no control plane nodes in the cluster: name them with --control-plane-nodes");
  }
  return first;
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Retries `call` while it fails with one of `codes` (a node restarting its API), for STEP_RETRY_MS. */
async function retrying<T>(call: () => Promise<T>, codes: readonly Code[], signal: AbortSignal): Promise<T> {
  const deadline = Date.now() + STEP_RETRY_MS;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const rpc = err instanceof RpcError ? err : toRpcError(err, signal.aborted);
      if (!codes.includes(rpc.grpcCode) || Date.now() >= deadline || signal.aborted) throw rpc;
      await sleep(RETRY_INTERVAL_MS, signal);
    }
  }
}

/** A talosconfig of one context: the endpoints, the CA to trust and an admin certificate. */
function talosconfig(
  name: string,
  endpoints: readonly string[],
  caCrt: string,
  cert: CertAndKeyPem,
): ClientConfig {
  const contexts = newContextMap();
  contexts[name] = { endpoints: [...endpoints], ca: b64(caCrt), crt: b64(cert.crt), key: b64(cert.key) };
  return { context: name, contexts };
}

/** A client for a talosconfig (its current context). */
export function clientFromConfig(config: ClientConfig, signal: AbortSignal): TalosClient {
  const context = resolveContext(config);
  return createTalosClient({ endpoints: context.endpoints, tls: credentialsFromContext(context), signal });
}

// --- machine config edits --------------------------------------------------------------------

type Data = Record<string, unknown>;

function isObject(v: unknown): v is Data {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function child(data: Data, key: string): Data {
  const v = data[key];
  if (isObject(v)) return v;
  const made: Data = {};
  data[key] = made;
  return made;
}

function legacy(documents: readonly ConfigDocument[]): Data {
  const doc = documents.find((d) => d.kind === LEGACY_KIND);
  if (!doc) throw new TalosError("invalid", "the machine config has no v1alpha1 document");
  return doc.data as Data;
}

function machineTypeOf(documents: readonly ConfigDocument[]): string {
  const machine = legacy(documents).machine;
  return isObject(machine) && typeof machine.type === "string" ? machine.type : "";
}

const isControlPlaneType = (t: string): boolean => t === "controlplane" || t === "init";

/** Sets a list field, leaving it out when empty (Talos's fields are `omitempty`). */
function setList(data: Data, key: string, list: readonly unknown[]): void {
  if (list.length === 0) delete data[key];
  else data[key] = [...list];
}

/** `machine.acceptedCAs` entries (`{crt: <base64 PEM>}`). */
function acceptedOsCas(documents: readonly ConfigDocument[]): Data[] {
  const machine = child(legacy(documents), "machine");
  return Array.isArray(machine.acceptedCAs) ? (machine.acceptedCAs as unknown[]).filter(isObject) : [];
}

/** Step 1 of the Talos rotation: the new CA is accepted too. */
export function addAcceptedOsCa(documents: readonly ConfigDocument[], crt: string): void {
  setList(child(legacy(documents), "machine"), "acceptedCAs", [
    ...acceptedOsCas(documents),
    { crt: b64(crt) },
  ]);
}

/** Step 2: the new CA issues (control planes get its key), the old one is accepted. */
export function swapOsCa(documents: readonly ConfigDocument[], current: string, next: CertAndKeyPem): void {
  const machine = child(legacy(documents), "machine");
  const accepted = [...acceptedOsCas(documents), { crt: b64(current) }];
  setList(
    machine,
    "acceptedCAs",
    accepted.filter((ca) => fromB64(ca.crt) !== next.crt),
  );
  machine.ca = isControlPlaneType(machineTypeOf(documents))
    ? { crt: b64(next.crt), key: b64(next.key) }
    : { crt: b64(next.crt), key: "" };
}

/** Step 3: the old CA is no longer accepted. */
export function dropOsCa(documents: readonly ConfigDocument[], old: string): void {
  setList(
    child(legacy(documents), "machine"),
    "acceptedCAs",
    acceptedOsCas(documents).filter((ca) => fromB64(ca.crt) !== old),
  );
}

function kubeApiCaDocument(documents: readonly ConfigDocument[]): Data | undefined {
  const doc = documents.find((d) => d.kind === "KubeAPIServerCAConfig");
  return doc ? (doc.data as Data) : undefined;
}

/** The Kubernetes API CA is accepted too (legacy `cluster.acceptedCAs`, or the KubeAPIServerCAConfig document). */
export function k8sAddAcceptedCa(documents: readonly ConfigDocument[], crt: string): void {
  const multidoc = kubeApiCaDocument(documents);
  if (multidoc) {
    const list = Array.isArray(multidoc.acceptedCAs) ? (multidoc.acceptedCAs as unknown[]) : [];
    setList(multidoc, "acceptedCAs", list.includes(crt) ? list : [...list, crt]);
    return;
  }
  const cluster = child(legacy(documents), "cluster");
  const list = Array.isArray(cluster.acceptedCAs) ? (cluster.acceptedCAs as unknown[]) : [];
  setList(cluster, "acceptedCAs", [...list, { crt: b64(crt) }]);
}

export function k8sDeleteAcceptedCa(documents: readonly ConfigDocument[], crt: string): void {
  const multidoc = kubeApiCaDocument(documents);
  if (multidoc) {
    const list = Array.isArray(multidoc.acceptedCAs) ? (multidoc.acceptedCAs as unknown[]) : [];
    setList(
      multidoc,
      "acceptedCAs",
      list.filter((ca) => ca !== crt),
    );
    return;
  }
  const cluster = child(legacy(documents), "cluster");
  const list = Array.isArray(cluster.acceptedCAs) ? (cluster.acceptedCAs as unknown[]) : [];
  setList(
    cluster,
    "acceptedCAs",
    list.filter((ca) => !(isObject(ca) && fromB64(ca.crt) === crt)),
  );
}

/** Control planes issue with the new Kubernetes API CA; workers accept it (first). */
export function k8sSetCa(documents: readonly ConfigDocument[], ca: CertAndKeyPem): void {
  const cp = isControlPlaneType(machineTypeOf(documents));
  const multidoc = kubeApiCaDocument(documents);
  if (!multidoc) {
    child(legacy(documents), "cluster").ca = cp
      ? { crt: b64(ca.crt), key: b64(ca.key) }
      : { crt: b64(ca.crt), key: "" };
    return;
  }
  if (cp) {
    multidoc.issuingCA = { cert: ca.crt, key: ca.key };
    return;
  }
  const list = (Array.isArray(multidoc.acceptedCAs) ? (multidoc.acceptedCAs as unknown[]) : []).filter(
    (x) => x !== ca.crt,
  );
  setList(multidoc, "acceptedCAs", [ca.crt, ...list]);
}

/** The active config of a node, loaded for editing. */
async function loadNodeConfig(node: NodeClient): Promise<MachineConfigDocuments> {
  const text = await fetchMachineConfig(node);
  const loaded = loadMachineConfig(text);
  return { documents: loaded.documents.map((d) => ({ ...d, data: structuredClone(d.data) })) };
}

/** Fetches a node's config, edits it, applies it without a reboot (retrying while the node's API restarts). */
async function patchNode(
  node: NodeClient,
  comments: CommentOptions,
  edit: (documents: readonly ConfigDocument[]) => void,
  signal: AbortSignal,
): Promise<void> {
  await retrying(
    async () => {
      const config = await loadNodeConfig(node);
      edit(config.documents);
      const data = Buffer.from(encodeMachineConfig(config, { comments }));
      await node.machine.applyConfiguration({ data, mode: ApplyConfigurationRequest_Mode.NO_REBOOT });
    },
    [Code.Unavailable, Code.Canceled],
    signal,
  );
}

// --- Talos API CA ------------------------------------------------------------------------------

/** The node's issuing OS CA: its OSRoot resource, or (where the node has none) its config's machine.ca. */
async function currentOsCa(node: NodeClient): Promise<CertAndKeyPem> {
  try {
    const reply = await node.cosi.get(OS_ROOT);
    const spec = reply.resource ? specData(reply.resource) : undefined;
    const issuing = isObject(spec) && isObject(spec.issuingCA) ? spec.issuingCA : undefined;
    if (issuing) return { crt: fromB64(issuing.crt), key: fromB64(issuing.key) };
  } catch {
    // the node publishes no OSRoot: its machine config holds the same CA
  }
  const config = await loadNodeConfig(node);
  const machine = legacy(config.documents).machine;
  const ca = isObject(machine) && isObject(machine.ca) ? machine.ca : {};
  const crt = fromB64(ca.crt);
  if (crt === "")
    throw new TalosError("not-found", "error fetching existing Talos CA: the node has no OS CA");
  return { crt, key: fromB64(ca.key) };
}

async function verifyTalos(options: RotationCommon, client: TalosClient, label: string): Promise<void> {
  options.print(`> Verifying connectivity with ${label}:\n`);
  for (const node of allNodes(options.cluster)) {
    if (options.dryRun) {
      options.print(`  - ${node}: OK (dry-run)\n`);
      continue;
    }
    let tag: string;
    try {
      const reply = await retrying(
        () => client.forNode(node).machine.version({}),
        [Code.Unavailable],
        options.signal,
      );
      tag = reply.messages[0]?.version?.tag ?? "";
    } catch (err) {
      throw new TalosError(
        "unavailable",
        `error calling version API on node ${node}: ${toRpcError(err).message}`,
        {
          cause: err,
        },
      );
    }
    options.print(`  - ${node}: OK (version ${tag})\n`);
  }
}

/** Patches every node (control planes first), as Talos's rotation does. */
async function patchAll(
  options: RotationCommon,
  client: TalosClient,
  edit: (documents: readonly ConfigDocument[]) => void,
): Promise<void> {
  for (const node of allNodes(options.cluster)) {
    if (options.dryRun) {
      options.print(`  - ${node}: skipped (dry-run)\n`);
      continue;
    }
    try {
      await patchNode(client.forNode(node), options.comments, edit, options.signal);
    } catch (err) {
      throw new TalosError(
        "unknown",
        `error patching all machine configs: error patching node ${node}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    options.print(`  - ${node}: OK\n`);
  }
}

function printTopology(options: RotationCommon): void {
  options.print("> Cluster topology:\n");
  options.print(`  - control plane nodes: ${quotedList(options.cluster.controlPlanes)}\n`);
  options.print(`  - worker nodes: ${quotedList(options.cluster.workers)}\n`);
}

/**
 * Rotates the Talos API CA (in dry-run only prints the plan); resolves with the new talosconfig
 * (one context: the endpoints, the new CA, a new os:admin certificate).
 */
export async function rotateTalosCa(options: TalosRotation): Promise<ClientConfig> {
  const { print } = options;
  print(`> Starting Talos API PKI rotation, dry-run mode ${options.dryRun}...\n`);
  print(`> Using config context: ${goQuote(options.contextName)}\n`);
  print(`> Using Talos API endpoints: ${quotedList(options.endpoints)}\n`);
  printTopology(options);

  print("> Current Talos CA:\n");
  const first = options.client.forNode(firstControlPlane(options.cluster));
  let current: CertAndKeyPem;
  try {
    current = await currentOsCa(first);
  } catch (err) {
    throw new TalosError("unknown", `error fetching existing Talos CA: ${toRpcError(err).message}`, {
      cause: err,
    });
  }
  print(caLines(current));
  print("> New Talos CA:\n");
  print(caLines(options.newCa));

  print("> Generating new talosconfig:\n");
  const cert = await issueClientCertificate({
    ca: options.newCa,
    roles: [ROLE.admin],
    ttlMs: ADMIN_CERTIFICATE_VALIDITY_MS,
    now: options.now,
  });
  const intermediateConfig = talosconfig(options.contextName, options.endpoints, current.crt, cert);
  const newConfig = talosconfig(options.contextName, options.endpoints, options.newCa.crt, cert);
  print(`${encodeClientConfig(newConfig)}\n`);
  const intermediate = clientFromConfig(intermediateConfig, options.signal);
  const next = clientFromConfig(newConfig, options.signal);
  try {
    await verifyTalos(options, options.client, "existing PKI");
    print("> Adding new Talos CA as accepted...\n");
    await patchAll(options, options.client, (docs) => addAcceptedOsCa(docs, options.newCa.crt));
    await verifyTalos(options, intermediate, "new client cert, but old server CA");
    print("> Making new Talos CA the issuing CA, old Talos CA the accepted CA...\n");
    await patchAll(options, intermediate, (docs) => swapOsCa(docs, current.crt, options.newCa));
    await verifyTalos(options, next, "new PKI");
    print("> Removing old Talos CA from the accepted CAs...\n");
    await patchAll(options, next, (docs) => dropOsCa(docs, current.crt));
    await verifyTalos(options, next, "new PKI");
  } finally {
    intermediate.close();
    next.close();
  }
  return newConfig;
}

// --- Kubernetes API CA -------------------------------------------------------------------------

/** What the Kubernetes rotation needs of the cluster's Kubernetes API. */
export interface KubernetesApi {
  /** Why the API cannot be used, when it cannot. */
  readonly unavailable?: string;
  /** Waits until every node is Ready; resolves with how many there are. */
  nodesReady(signal: AbortSignal): Promise<number>;
}

/** Why the Kubernetes CA rotation cannot run here yet. */
export const NO_KUBERNETES_API =
  "rotating the Kubernetes API CA needs the cluster's Kubernetes API (every node must be seen Ready before and after each step), and this talosctl has no Kubernetes client yet";

/** The cluster's Kubernetes API, reached with the admin kubeconfig the Talos API hands out. */
export function kubernetesApi(_client: TalosClient): KubernetesApi {
  return {
    unavailable: NO_KUBERNETES_API,
    async nodesReady() {
      throw new TalosError("unavailable", NO_KUBERNETES_API);
    },
  };
}

export interface KubernetesRotation extends RotationCommon {
  readonly client: TalosClient;
  readonly newCa: CertAndKeyPem;
  readonly kubernetes: KubernetesApi;
}

/** The Kubernetes API CA a control plane issues with: its KubernetesRoot, or its config's CA. */
async function currentKubernetesCa(node: NodeClient): Promise<CertAndKeyPem> {
  try {
    const reply = await node.cosi.get(KUBERNETES_ROOT);
    const spec = reply.resource ? specData(reply.resource) : undefined;
    const issuing = isObject(spec) && isObject(spec.issuingCA) ? spec.issuingCA : undefined;
    if (issuing) return { crt: fromB64(issuing.crt), key: fromB64(issuing.key) };
  } catch {
    // no KubernetesRoot on this node: read its machine config
  }
  const config = await loadNodeConfig(node);
  const multidoc = kubeApiCaDocument(config.documents);
  if (multidoc && isObject(multidoc.issuingCA)) {
    const { cert, key } = multidoc.issuingCA;
    return { crt: typeof cert === "string" ? cert : "", key: typeof key === "string" ? key : "" };
  }
  const cluster = legacy(config.documents).cluster;
  const ca = isObject(cluster) && isObject(cluster.ca) ? cluster.ca : {};
  const crt = fromB64(ca.crt);
  if (crt === "") throw new TalosError("not-found", "the node has no Kubernetes API CA");
  return { crt, key: fromB64(ca.key) };
}

async function verifyKubernetes(options: KubernetesRotation, label: string): Promise<void> {
  options.print(`> Verifying connectivity with ${label}...\n`);
  if (options.dryRun) {
    options.print(" - OK (dry-run mode)\n");
    return;
  }
  const ready = await options.kubernetes.nodesReady(options.signal);
  options.print(` - OK (${ready} nodes ready)\n`);
}

async function fetchKubeconfig(options: KubernetesRotation, label: string): Promise<void> {
  options.print(`> Building ${label} Kubernetes client...\n`);
  const node = options.client.forNode(firstControlPlane(options.cluster));
  try {
    for await (const _ of node.machine.kubeconfig({})) {
      // the admin kubeconfig streams as a tar.gz; its arrival is what the step checks
    }
  } catch (err) {
    throw new TalosError("unknown", `error fetching kubeconfig: ${toRpcError(err).message}`, { cause: err });
  }
}

/**
 * Rotates the Kubernetes API CA through the machine configs (in dry-run only prints the plan).
 * A real run needs the Kubernetes API; without it nothing is changed.
 */
export async function rotateKubernetesCa(options: KubernetesRotation): Promise<void> {
  if (!options.dryRun && options.kubernetes.unavailable !== undefined) {
    throw new UserError(options.kubernetes.unavailable);
  }
  const { print } = options;
  print(`> Starting Kubernetes API PKI rotation, dry-run mode ${options.dryRun}...\n`);
  printTopology(options);
  await fetchKubeconfig(options, "current");
  print("> Current Kubernetes CA:\n");
  let current: CertAndKeyPem;
  try {
    current = await currentKubernetesCa(options.client.forNode(firstControlPlane(options.cluster)));
  } catch (err) {
    throw new TalosError("unknown", `error fetching current Kubernetes CA: ${toRpcError(err).message}`, {
      cause: err,
    });
  }
  print(caLines(current));
  print("> New Kubernetes CA:\n");
  print(caLines(options.newCa));
  await verifyKubernetes(options, "existing PKI");
  print("> Adding new Kubernetes CA as accepted...\n");
  await patchAll(options, options.client, (docs) => k8sAddAcceptedCa(docs, options.newCa.crt));
  print("> Making new Kubernetes CA the issuing CA, old Kubernetes CA the accepted CA...\n");
  await patchAll(options, options.client, (docs) => {
    k8sAddAcceptedCa(docs, current.crt);
    k8sDeleteAcceptedCa(docs, options.newCa.crt);
    k8sSetCa(docs, options.newCa);
  });
  await fetchKubeconfig(options, "new");
  await verifyKubernetes(options, "new PKI");
  print("> Removing old Kubernetes CA from the accepted CAs...\n");
  await patchAll(options, options.client, (docs) => k8sDeleteAcceptedCa(docs, current.crt));
  await verifyKubernetes(options, "new PKI");
}
