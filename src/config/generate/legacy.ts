// The layout of contracts up to 1.13: one fat v1alpha1 document holding nearly everything, plus
// the few multi-document kinds those releases already used (hostname, registry mirrors,
// KubeSpan). Keys are built in Talos's declaration order.
import { gates } from "./contract.js";
import { endpointHostname } from "./endpoint.js";
import {
  APISERVER_IMAGE,
  auditPolicy,
  base64,
  CONTROLLER_MANAGER_IMAGE,
  EXCLUDE_FROM_LB_LABEL,
  type GenerateInput,
  imageRef,
  isControlPlane,
  KUBE_PRISM_PORT,
  KUBELET_IMAGE,
  type MachineType,
  POD_SUBNETS_V4,
  PROXY_IMAGE,
  podSecurityConfiguration,
  SCHEDULER_IMAGE,
  SERVICE_SUBNETS_V4,
} from "./input.js";
import { hostnameDocument, kubeSpanDocument, registryMirrorDocuments } from "./shared.js";

type Data = Record<string, unknown>;

/** The documents of a legacy-layout config, legacy document first. */
export function legacyDocuments(input: GenerateInput, type: MachineType): Data[] {
  const c = input.contract;
  const docs: Data[] = [legacyConfig(input, type)];
  if (gates.multidocNetworkConfig(c)) {
    docs.push(...registryMirrorDocuments(input.registryMirrors));
    docs.push(hostnameDocument());
  }
  if (input.kubeSpan && gates.kubeSpanMultidoc(c)) docs.push(kubeSpanDocument());
  return docs;
}

function legacyConfig(input: GenerateInput, type: MachineType): Data {
  return {
    version: "v1alpha1",
    debug: false,
    persist: true,
    machine: machineSection(input, type),
    cluster: clusterSection(input, type),
  };
}

function machineSection(input: GenerateInput, type: MachineType): Data {
  const c = input.contract;
  const cp = isControlPlane(type);
  const os = input.secrets.certs.os;
  const machine: Data = {
    type,
    token: input.secrets.trustdInfo.token,
    ca: { crt: base64(os.crt), key: cp ? base64(os.key) : "" },
    certSANs: [...input.additionalSANs],
  };

  const kubelet: Data = { image: imageRef(KUBELET_IMAGE, input.kubernetesVersion) };
  if (gates.kubeletDefaultSeccomp(c)) kubelet.defaultRuntimeSeccompProfileEnabled = true;
  if (gates.kubeletManifestsDirectoryDisabled(c)) kubelet.disableManifestsDirectory = true;
  machine.kubelet = kubelet;

  if (!gates.kubeSpanMultidoc(c)) {
    machine.network = input.kubeSpan ? { kubespan: { enabled: true } } : {};
  }

  const install: Data = {};
  if (input.installDisk !== "") install.disk = input.installDisk;
  if (input.installImage !== "") install.image = input.installImage;
  install.wipe = false;
  if (gates.grubUseUKICmdline(c)) install.grubUseUKICmdline = true;
  machine.install = install;

  if (!gates.multidocNetworkConfig(c)) {
    const mirrors = legacyMirrors(input);
    if (Object.keys(mirrors).length > 0) machine.registries = { mirrors };
  }

  const features: Data = {};
  if (!gates.hideRBACAndKeyUsage(c)) features.rbac = true;
  if (gates.stableHostname(c) && !gates.multidocNetworkConfig(c)) features.stableHostname = true;
  if (gates.apidExtKeyUsageCheck(c) && !gates.hideRBACAndKeyUsage(c)) features.apidCheckExtKeyUsage = true;
  if (gates.diskQuotaSupport(c)) features.diskQuotaSupport = true;
  if (gates.kubePrism(c)) features.kubePrism = { enabled: true, port: KUBE_PRISM_PORT };
  if (gates.hostDNS(c)) {
    features.hostDNS = gates.hostDNSForwardKubeDNSToHost(c)
      ? { enabled: true, forwardKubeDNSToHost: true }
      : { enabled: true };
  }
  if (Object.keys(features).length > 0) machine.features = features;

  if (cp && gates.excludeFromExternalLoadBalancer(c)) machine.nodeLabels = { [EXCLUDE_FROM_LB_LABEL]: "" };
  return machine;
}

/** Registry mirrors as the legacy map (host → endpoints), sorted by host as Go writes maps. */
function legacyMirrors(input: GenerateInput): Record<string, { endpoints: string[] }> {
  const byHost = new Map<string, string[]>();
  if (gates.alternateImageRegistries(input.contract)) {
    byHost.set("k8s.gcr.io", ["https://registry.k8s.io", "https://k8s.gcr.io"]);
  }
  for (const mirror of input.registryMirrors) {
    byHost.set(mirror.host, [...(byHost.get(mirror.host) ?? []), ...mirror.endpoints]);
  }
  const out: Record<string, { endpoints: string[] }> = {};
  for (const host of [...byHost.keys()].sort()) out[host] = { endpoints: byHost.get(host)! };
  return out;
}

function clusterSection(input: GenerateInput, type: MachineType): Data {
  const c = input.contract;
  const cp = isControlPlane(type);
  const { secrets, certs, cluster: identity } = input.secrets;
  const cluster: Data = {
    id: identity.id,
    secret: identity.secret,
    controlPlane: { endpoint: input.endpoint },
  };
  if (cp || gates.clusterNameForWorkers(c)) cluster.clusterName = input.clusterName;
  cluster.network = {
    dnsDomain: input.dnsDomain,
    podSubnets: [...POD_SUBNETS_V4],
    serviceSubnets: [...SERVICE_SUBNETS_V4],
  };

  if (input.kubernetes) {
    cluster.token = secrets.bootstrapToken;
    if (cp) {
      if (secrets.aescbcEncryptionSecret) cluster.aescbcEncryptionSecret = secrets.aescbcEncryptionSecret;
      if (secrets.secretboxEncryptionSecret)
        cluster.secretboxEncryptionSecret = secrets.secretboxEncryptionSecret;
    }
    cluster.ca = { crt: base64(certs.k8s.crt), key: cp ? base64(certs.k8s.key) : "" };
    if (cp) {
      cluster.aggregatorCA = { crt: base64(certs.k8sAggregator.crt), key: base64(certs.k8sAggregator.key) };
      cluster.serviceAccount = { key: base64(certs.k8sServiceAccount.key) };
      cluster.apiServer = apiServer(input);
      cluster.controllerManager = { image: imageRef(CONTROLLER_MANAGER_IMAGE, input.kubernetesVersion) };
      cluster.proxy = { image: imageRef(PROXY_IMAGE, input.kubernetesVersion) };
      cluster.scheduler = { image: imageRef(SCHEDULER_IMAGE, input.kubernetesVersion) };
    }
  }

  cluster.discovery = {
    enabled: input.discovery,
    registries: {
      kubernetes: gates.kubernetesDiscoveryBackendDisabled(c) ? { disabled: true } : {},
      service: {},
    },
  };
  if (cp && input.kubernetes)
    cluster.etcd = { ca: { crt: base64(certs.etcd.crt), key: base64(certs.etcd.key) } };
  return cluster;
}

function apiServer(input: GenerateInput): Data {
  const c = input.contract;
  const out: Data = { image: imageRef(APISERVER_IMAGE, input.kubernetesVersion) };
  const sans = gates.populateClusterSANsFromEndpoint(c)
    ? [endpointHostname(input.endpoint), ...input.additionalSANs]
    : [...input.additionalSANs];
  if (sans.length > 0) out.certSANs = sans;
  if (!gates.hidePodSecurityPolicyFlag(c)) out.disablePodSecurityPolicy = true;
  if (gates.podSecurityAdmission(c)) {
    out.admissionControl = [{ name: "PodSecurity", configuration: podSecurityConfiguration() }];
  }
  if (gates.auditPolicy(c)) out.auditPolicy = auditPolicy();
  return out;
}
