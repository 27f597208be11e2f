// Documentation of the multi-document kinds `gen config` writes, and of their fields.
import type { KindDocs } from "./types.js";

const IMAGE = (what: string) => ({ summary: `Container image of ${what}.` });

export const DOCUMENT_DOCS: Readonly<Record<string, KindDocs>> = {
  DiscoveryServiceConfig: {
    summary: "A discovery service the node registers with and learns cluster members from.",
    fields: {
      name: { summary: "Name of this discovery service entry." },
      endpoint: { summary: "URL of the discovery service." },
    },
  },
  DiscoveryIdentityConfig: {
    summary: "The cluster identity used by member discovery.",
    fields: {
      clusterID: { summary: "Random identity of the cluster." },
      clusterSecret: { summary: "Shared secret that encrypts what members publish." },
    },
  },
  UnattendedInstallConfig: {
    summary: "Installs Talos onto a disk without an operator's help.",
    fields: {
      installer: { summary: "What performs the install." },
      "installer.image": { summary: "Installer image used for installs and upgrades." },
      provisioning: { summary: "Which disk receives the system." },
      "provisioning.diskSelector": { summary: "Picks the target disk." },
      "provisioning.diskSelector.match": { summary: "CEL expression a disk must satisfy." },
      "provisioning.wipe": { summary: "Erase the whole disk before installing." },
    },
  },
  ResolverConfig: {
    summary: "How the node resolves DNS names.",
    fields: {
      nameservers: {
        summary: "Upstream DNS servers, in order of preference.",
        examples: [{ value: [{ address: "192.0.2.53" }, { address: "2001:db8::53" }] }],
      },
      hostDNS: { summary: "DNS cache and resolver run by Talos on the node." },
      "hostDNS.enabled": { summary: "Run the node-local DNS resolver." },
      "hostDNS.forwardKubeDNSToHost": {
        summary: "Send cluster DNS upstream queries through the node-local resolver.",
      },
    },
  },
  SysctlConfig: {
    summary: "Kernel parameters set on the node.",
    fields: { params: { summary: "Parameter names and their values." } },
  },
  VolumeConfig: {
    summary: "How one of Talos's own volumes is provisioned and mounted.",
    fields: {
      name: { summary: "The system volume this applies to." },
      mount: { summary: "Mount options of the volume." },
      "mount.secure": { summary: "Mount without device files, setuid binaries or executables." },
    },
  },
  FilesystemTrimConfig: {
    summary: "Periodic discard of unused blocks on mounted filesystems.",
    fields: { interval: { summary: "Time between two trim runs." } },
  },
  SecurityProfileConfig: {
    summary: "Security defaults of the node.",
    fields: { workloadIsolation: { summary: "Isolate workloads from Talos's own processes." } },
  },
  RegistryMirrorConfig: {
    summary: "Mirrors used when pulling images from one registry.",
    fields: {
      name: { summary: "Host of the registry being mirrored." },
      endpoints: { summary: "Mirrors, tried in order." },
      "endpoints[].url": { summary: "URL of the mirror." },
    },
  },
  HostnameConfig: {
    summary: "How the node gets its hostname.",
    fields: {
      auto: { summary: "Generate the hostname automatically (stable keeps it across reboots)." },
      hostname: { summary: "A fixed hostname.", examples: [{ value: "worker-1" }] },
    },
  },
  KubeSpanConfig: {
    summary: "The WireGuard mesh between cluster members.",
    fields: { enabled: { summary: "Join the KubeSpan mesh." } },
  },
  KubeClusterConfig: {
    summary: "Name of the Kubernetes cluster and where its API is reached.",
    fields: {
      clusterName: { summary: "Name of the cluster." },
      endpoint: { summary: "URL of the Kubernetes API (load balancer, DNS name or VIP)." },
    },
  },
  KubeNodeConfig: {
    summary: "How this node registers as a Kubernetes Node.",
    fields: {
      nodeIP: {
        summary: "Which of the node's addresses Kubernetes uses.",
        examples: [{ value: { validSubnets: ["10.0.0.0/8", "!10.0.0.1/32"] } }],
      },
      "nodeIP.validSubnets": { summary: "Subnets the node address is chosen from (! excludes)." },
      labels: { summary: "Labels put on the Node object." },
      annotations: { summary: "Annotations put on the Node object." },
      taints: { summary: "Taints put on the Node object, as key: effect." },
    },
  },
  KubeletConfig: {
    summary: "How the kubelet runs on this node.",
    fields: {
      image: IMAGE("the kubelet"),
      config: {
        summary: "Settings merged into the kubelet's configuration file.",
        examples: [{ value: { maxPods: 250 } }],
      },
      extraArgs: {
        summary: "Extra command-line flags for the kubelet.",
        examples: [{ value: { "image-gc-high-threshold": "80" } }],
      },
      defaultRuntimeSeccompProfileEnabled: {
        summary: "Apply the container runtime's default seccomp profile to every pod.",
      },
    },
  },
  KubeNetworkConfig: {
    summary: "Pod and service networking of the cluster.",
    fields: {
      dnsDomain: { summary: "DNS domain of cluster services." },
      podSubnets: { summary: "Address ranges pods get their IPs from." },
      serviceSubnets: { summary: "Address ranges service IPs come from." },
    },
  },
  KubeAPIServerCAConfig: {
    summary: "Certificate authority of the Kubernetes API.",
    fields: {
      issuingCA: { summary: "The CA that signs Kubernetes certificates (control plane only)." },
      "issuingCA.cert": { summary: "The CA certificate (PEM)." },
      "issuingCA.key": { summary: "The CA private key (PEM)." },
      acceptedCAs: { summary: "CA certificates trusted when talking to the API (PEM)." },
    },
  },
  KubePrismConfig: {
    summary: "Local load balancer in front of the Kubernetes API.",
    fields: { port: { summary: "Local port of the API load balancer." } },
  },
  KubeAggregatorCAConfig: {
    summary: "Certificate authority of the API aggregation layer.",
    fields: {
      issuingCA: { summary: "The CA that signs front proxy client certificates." },
      "issuingCA.cert": { summary: "The CA certificate (PEM)." },
      "issuingCA.key": { summary: "The CA private key (PEM)." },
    },
  },
  KubeAdmissionControlConfig: {
    summary: "Configuration of one admission plugin of the API server.",
    fields: {
      name: { summary: "The admission plugin." },
      configuration: { summary: "The plugin's own configuration object." },
    },
  },
  KubeAuditPolicyConfig: {
    summary: "Which requests the API server records in its audit log.",
    fields: { configuration: { summary: "The audit Policy object." } },
  },
  KubeAuthenticationConfig: {
    summary: "Structured authentication settings of the API server.",
    fields: { configuration: { summary: "The AuthenticationConfiguration object." } },
  },
  KubeAuthorizerConfig: {
    summary: "One authorizer in the API server's authorization chain.",
    fields: {
      name: { summary: "Name of this authorizer entry." },
      type: { summary: "Kind of authorizer (Node, RBAC, Webhook...)." },
    },
  },
  KubeEtcdEncryptionConfig: {
    summary: "How the API server encrypts resources stored in etcd.",
    fields: { config: { summary: "The EncryptionConfiguration object." } },
  },
  KubeServiceAccountConfig: {
    summary: "Signing of service account tokens.",
    fields: {
      issuer: { summary: "The token issuer of this cluster." },
      "issuer.privateKey": { summary: "Key that signs the tokens (PEM)." },
      "issuer.issuerURL": { summary: "Issuer URL written into the tokens." },
    },
  },
  KubeAPIServerConfig: {
    summary: "How kube-apiserver runs.",
    fields: {
      image: IMAGE("kube-apiserver"),
      certExtraSANs: {
        summary: "Extra names and addresses in the API server certificate.",
        examples: [{ value: ["k8s.example.org", "10.0.0.100"] }],
      },
    },
  },
  KubeControllerManagerConfig: {
    summary: "How kube-controller-manager runs.",
    fields: { image: IMAGE("kube-controller-manager") },
  },
  KubeSchedulerConfig: {
    summary: "How kube-scheduler runs.",
    fields: {
      image: IMAGE("kube-scheduler"),
      config: { summary: "Settings merged into the scheduler's configuration." },
    },
  },
  KubeProxyConfig: {
    summary: "How kube-proxy runs.",
    fields: {
      image: IMAGE("kube-proxy"),
      config: { summary: "Settings merged into kube-proxy's configuration." },
    },
  },
  KubeFlannelCNIConfig: {
    summary: "The Flannel CNI Talos deploys.",
    fields: {
      backendType: { summary: "How Flannel carries pod traffic between nodes." },
      backendPort: { summary: "UDP port of the VXLAN backend." },
    },
  },
  KubeCoreDNSConfig: {
    summary: "The CoreDNS deployment of the cluster.",
    fields: { enabled: { summary: "Deploy CoreDNS." } },
  },
  KubeExternalManifestConfig: {
    summary: "A manifest fetched from a URL and applied to the cluster.",
    fields: {
      name: { summary: "Name of this manifest entry." },
      url: { summary: "Where the manifest is downloaded from." },
    },
  },
};
