// The layout of contracts 1.14 and later: a nearly empty v1alpha1 document followed by one document
// per concern, most of them Kube*Config documents, in the order siderolabs/talos:
// pkg/machinery/config/generate emits them.
import {
  APISERVER_IMAGE,
  auditPolicy,
  authenticationConfiguration,
  base64,
  CONTROL_PLANE_LABEL,
  CONTROLLER_MANAGER_IMAGE,
  DISCOVERY_SERVICE_ENDPOINT,
  EXCLUDE_FROM_LB_LABEL,
  etcdEncryptionConfiguration,
  FILESYSTEM_TRIM_INTERVAL,
  FLANNEL_VXLAN_PORT,
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

const doc = (kind: string, fields: Data): Data => ({ apiVersion: "v1alpha1", kind, ...fields });

/** The documents of a latest-layout config, legacy document first. */
export function latestDocuments(input: GenerateInput, type: MachineType): Data[] {
  const cp = isControlPlane(type);
  const { secrets, certs, cluster } = input.secrets;
  const k8s = input.kubernetesVersion;
  const docs: Data[] = [legacyConfig(input, type)];

  if (input.discovery)
    docs.push(doc("DiscoveryServiceConfig", { name: "default", endpoint: DISCOVERY_SERVICE_ENDPOINT }));
  docs.push(doc("DiscoveryIdentityConfig", { clusterID: cluster.id, clusterSecret: cluster.secret }));
  if (input.installDisk !== "") {
    docs.push(
      doc("UnattendedInstallConfig", {
        installer: input.installImage !== "" ? { image: input.installImage } : {},
        provisioning: {
          diskSelector: { match: `disk.dev_path == ${JSON.stringify(input.installDisk)}` },
          wipe: false,
        },
      }),
    );
  }
  docs.push(doc("ResolverConfig", { hostDNS: { enabled: true, forwardKubeDNSToHost: true } }));
  docs.push(doc("VolumeConfig", { name: "EPHEMERAL", mount: { secure: true } }));
  docs.push(doc("FilesystemTrimConfig", { interval: FILESYSTEM_TRIM_INTERVAL }));
  docs.push(doc("SecurityProfileConfig", { workloadIsolation: true }));
  docs.push(...registryMirrorDocuments(input.registryMirrors));
  docs.push(hostnameDocument());
  if (input.kubeSpan) docs.push(kubeSpanDocument());
  if (!input.kubernetes) return docs;

  docs.push(doc("KubeClusterConfig", { clusterName: input.clusterName, endpoint: input.endpoint }));
  docs.push(
    doc(
      "KubeNodeConfig",
      cp
        ? {
            nodeIP: {},
            labels: { [CONTROL_PLANE_LABEL]: "", [EXCLUDE_FROM_LB_LABEL]: "" },
            taints: { [CONTROL_PLANE_LABEL]: "NoSchedule" },
          }
        : { nodeIP: {} },
    ),
  );
  docs.push(
    doc("KubeletConfig", {
      image: imageRef(KUBELET_IMAGE, k8s),
      config: {},
      defaultRuntimeSeccompProfileEnabled: true,
    }),
  );
  docs.push(
    doc("KubeNetworkConfig", {
      dnsDomain: input.dnsDomain,
      podSubnets: [...POD_SUBNETS_V4],
      serviceSubnets: [...SERVICE_SUBNETS_V4],
    }),
  );
  docs.push(
    doc(
      "KubeAPIServerCAConfig",
      cp ? { issuingCA: { cert: certs.k8s.crt, key: certs.k8s.key } } : { acceptedCAs: [certs.k8s.crt] },
    ),
  );
  docs.push(doc("KubePrismConfig", { port: KUBE_PRISM_PORT }));
  if (!cp) return docs;

  docs.push(
    doc("KubeAggregatorCAConfig", {
      issuingCA: { cert: certs.k8sAggregator.crt, key: certs.k8sAggregator.key },
    }),
  );
  docs.push(
    doc("KubeAdmissionControlConfig", { name: "PodSecurity", configuration: podSecurityConfiguration() }),
  );
  docs.push(doc("KubeAuditPolicyConfig", { configuration: auditPolicy() }));
  docs.push(doc("KubeAuthenticationConfig", { configuration: authenticationConfiguration() }));
  docs.push(doc("KubeAuthorizerConfig", { name: "node", type: "Node" }));
  docs.push(doc("KubeAuthorizerConfig", { name: "rbac", type: "RBAC" }));
  docs.push(doc("KubeEtcdEncryptionConfig", { config: etcdEncryptionConfiguration(secrets) }));
  docs.push(
    doc("KubeServiceAccountConfig", {
      issuer: { privateKey: certs.k8sServiceAccount.key, issuerURL: input.endpoint },
    }),
  );
  const apiServer: Data = { image: imageRef(APISERVER_IMAGE, k8s) };
  if (input.additionalSANs.length > 0) apiServer.certExtraSANs = [...input.additionalSANs];
  docs.push(doc("KubeAPIServerConfig", apiServer));
  docs.push(doc("KubeControllerManagerConfig", { image: imageRef(CONTROLLER_MANAGER_IMAGE, k8s) }));
  docs.push(doc("KubeSchedulerConfig", { image: imageRef(SCHEDULER_IMAGE, k8s), config: {} }));
  docs.push(doc("KubeProxyConfig", { image: imageRef(PROXY_IMAGE, k8s), config: {} }));
  docs.push(doc("KubeFlannelCNIConfig", { backendType: "vxlan", backendPort: FLANNEL_VXLAN_PORT }));
  docs.push(doc("KubeCoreDNSConfig", { enabled: true }));
  return docs;
}

/**
 * What the v1alpha1 document still holds: version, debug, persist, the machine's type, token, CA,
 * certSANs and disk quota feature, the cluster token and, on control planes, the etcd CA.
 */
function legacyConfig(input: GenerateInput, type: MachineType): Data {
  const cp = isControlPlane(type);
  const { secrets, certs } = input.secrets;
  const cluster: Data = {};
  if (input.kubernetes) {
    cluster.token = secrets.bootstrapToken;
    if (cp) cluster.etcd = { ca: { crt: base64(certs.etcd.crt), key: base64(certs.etcd.key) } };
  }
  return {
    version: "v1alpha1",
    debug: false,
    persist: true,
    machine: {
      type,
      token: input.secrets.trustdInfo.token,
      ca: { crt: base64(certs.os.crt), key: cp ? base64(certs.os.key) : "" },
      certSANs: [...input.additionalSANs],
      features: { diskQuotaSupport: true },
    },
    cluster,
  };
}
