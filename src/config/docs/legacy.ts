// Documentation of the fields of the legacy `v1alpha1` document that `gen config` writes, for
// every version contract.
import type { KindDocs } from "./types.js";

const CA_PAIR = "Base64 of the PEM certificate and base64 of its PEM private key.";

export const LEGACY_DOCS: KindDocs = {
  fields: {
    version: { summary: "Format of this document; always v1alpha1." },
    debug: { summary: "Print the logs of system services to the console as well." },
    persist: { summary: "Keep this configuration across reboots (deprecated; always true)." },

    machine: { summary: "Settings of this node itself." },
    "machine.type": { summary: "The node's role: controlplane or worker." },
    "machine.token": {
      summary: "Shared token that lets a node obtain its certificates from the control plane.",
    },
    "machine.ca": { summary: `Certificate authority of the Talos API. ${CA_PAIR}` },
    "machine.ca.crt": { summary: "The CA certificate (base64 of PEM)." },
    "machine.ca.key": { summary: "The CA private key (base64 of PEM); empty on workers." },
    "machine.certSANs": {
      summary: "Additional names and addresses written into the node's Talos API certificate.",
      examples: [{ value: ["10.0.0.10", "node-1.example.org"] }],
    },
    "machine.acceptedCAs": {
      summary: "Further CA certificates the Talos API trusts for client certificates.",
    },
    "machine.logging": {
      summary: "Where the node sends the logs of its services.",
      examples: [
        {
          title: "ship logs as JSON lines over UDP",
          value: { destinations: [{ endpoint: "udp://127.0.0.1:12345/", format: "json_lines" }] },
        },
      ],
    },
    "machine.seccompProfiles": {
      summary: "Seccomp profiles placed on the node for workloads to reference.",
      examples: [
        {
          title: "a profile that only logs system calls",
          value: [{ name: "log-all.json", value: { defaultAction: "SCMP_ACT_LOG" } }],
        },
      ],
    },

    "machine.kubelet": { summary: "How the kubelet runs on this node." },
    "machine.kubelet.image": { summary: "Container image of the kubelet." },
    "machine.kubelet.defaultRuntimeSeccompProfileEnabled": {
      summary: "Apply the container runtime's default seccomp profile to every pod.",
    },
    "machine.kubelet.disableManifestsDirectory": {
      summary: "Ignore static pod manifests dropped into the kubelet's manifests directory.",
    },
    "machine.kubelet.extraArgs": {
      summary: "Extra command-line flags for the kubelet.",
      examples: [{ value: { "image-gc-high-threshold": "80" } }],
    },

    "machine.network": {
      summary: "Network settings kept in this document (most now live in their own documents).",
    },
    "machine.network.kubespan": { summary: "The WireGuard mesh between cluster members." },
    "machine.network.kubespan.enabled": { summary: "Join the KubeSpan mesh." },

    "machine.install": { summary: "How Talos is installed onto a disk." },
    "machine.install.disk": { summary: "Device the system is installed on." },
    "machine.install.image": { summary: "Installer image used for installs and upgrades." },
    "machine.install.wipe": { summary: "Erase the whole disk before installing." },
    "machine.install.grubUseUKICmdline": {
      summary: "Let GRUB boot with the kernel command line built into the UKI.",
    },

    "machine.registries": { summary: "Image registry settings of the container runtime." },
    "machine.registries.mirrors": { summary: "Mirrors to pull from, by registry host." },
    "machine.registries.mirrors.*": { summary: "Mirrors of one registry." },
    "machine.registries.mirrors.*.endpoints": { summary: "Mirror URLs, tried in order." },

    "machine.features": { summary: "Optional node features." },
    "machine.features.rbac": { summary: "Enforce roles on Talos API clients." },
    "machine.features.stableHostname": { summary: "Derive a hostname that stays the same across reboots." },
    "machine.features.apidCheckExtKeyUsage": {
      summary: "Require the client-auth usage on Talos API client certificates.",
    },
    "machine.features.diskQuotaSupport": { summary: "Mount the ephemeral volume with project quotas." },
    "machine.features.kubePrism": { summary: "Local load balancer in front of the Kubernetes API." },
    "machine.features.kubePrism.enabled": { summary: "Run the local API load balancer." },
    "machine.features.kubePrism.port": { summary: "Local port of the API load balancer." },
    "machine.features.hostDNS": { summary: "DNS cache and resolver run by Talos on the node." },
    "machine.features.hostDNS.enabled": { summary: "Run the node-local DNS resolver." },
    "machine.features.hostDNS.forwardKubeDNSToHost": {
      summary: "Send cluster DNS upstream queries through the node-local resolver.",
    },

    "machine.nodeLabels": { summary: "Labels put on this node's Kubernetes Node object." },

    cluster: { summary: "Settings shared by the whole cluster." },
    "cluster.id": { summary: "Random identity of the cluster, used by discovery." },
    "cluster.secret": { summary: "Shared secret that encrypts discovery data." },
    "cluster.controlPlane": { summary: "Where the Kubernetes control plane is reached." },
    "cluster.controlPlane.endpoint": {
      summary: "URL of the Kubernetes API (load balancer, DNS name or VIP).",
    },
    "cluster.clusterName": { summary: "Name of the cluster." },
    "cluster.network": { summary: "Pod and service networking of the cluster." },
    "cluster.network.dnsDomain": { summary: "DNS domain of cluster services." },
    "cluster.network.podSubnets": { summary: "Address ranges pods get their IPs from." },
    "cluster.network.serviceSubnets": { summary: "Address ranges service IPs come from." },
    "cluster.network.cni": {
      summary: "Which CNI plugin the cluster runs.",
      examples: [
        {
          title: "bring your own CNI from a manifest URL",
          value: { name: "custom", urls: ["https://example.org/cni/install.yaml"] },
        },
      ],
    },
    "cluster.token": { summary: "Bootstrap token that lets kubelets join the cluster." },
    "cluster.aescbcEncryptionSecret": { summary: "Key that encrypts Secrets at rest in etcd (AES-CBC)." },
    "cluster.secretboxEncryptionSecret": {
      summary: "Key that encrypts Secrets at rest in etcd (secretbox).",
    },
    "cluster.ca": { summary: `Kubernetes certificate authority. ${CA_PAIR}` },
    "cluster.ca.crt": { summary: "The CA certificate (base64 of PEM)." },
    "cluster.ca.key": { summary: "The CA private key (base64 of PEM); empty on workers." },
    "cluster.aggregatorCA": { summary: `CA of the API aggregation layer. ${CA_PAIR}` },
    "cluster.aggregatorCA.crt": { summary: "The CA certificate (base64 of PEM)." },
    "cluster.aggregatorCA.key": { summary: "The CA private key (base64 of PEM)." },
    "cluster.serviceAccount": { summary: "Key that signs service account tokens." },
    "cluster.serviceAccount.key": { summary: "The private key (base64 of PEM)." },
    "cluster.apiServer": { summary: "How kube-apiserver runs." },
    "cluster.apiServer.image": { summary: "Container image of kube-apiserver." },
    "cluster.apiServer.certSANs": { summary: "Extra names and addresses in the API server certificate." },
    "cluster.apiServer.disablePodSecurityPolicy": {
      summary: "Leave the retired PodSecurityPolicy plugin off.",
    },
    "cluster.apiServer.admissionControl": { summary: "Settings of admission plugins." },
    "cluster.apiServer.admissionControl[].name": { summary: "The admission plugin." },
    "cluster.apiServer.admissionControl[].configuration": {
      summary: "The plugin's own configuration object.",
    },
    "cluster.apiServer.auditPolicy": { summary: "Which requests the API server records in its audit log." },
    "cluster.apiServer.extraArgs": {
      summary: "Extra command-line flags for kube-apiserver.",
      examples: [{ value: { "audit-log-maxage": "30" } }],
    },
    "cluster.controllerManager": { summary: "How kube-controller-manager runs." },
    "cluster.controllerManager.image": { summary: "Container image of kube-controller-manager." },
    "cluster.proxy": { summary: "How kube-proxy runs." },
    "cluster.proxy.image": { summary: "Container image of kube-proxy." },
    "cluster.scheduler": { summary: "How kube-scheduler runs." },
    "cluster.scheduler.image": { summary: "Container image of kube-scheduler." },
    "cluster.discovery": { summary: "How members of the cluster find each other." },
    "cluster.discovery.enabled": { summary: "Turn member discovery on." },
    "cluster.discovery.registries": { summary: "Sources discovery reads members from." },
    "cluster.discovery.registries.kubernetes": { summary: "Discovery through Kubernetes Node objects." },
    "cluster.discovery.registries.kubernetes.disabled": { summary: "Do not use the Kubernetes source." },
    "cluster.discovery.registries.service": { summary: "Discovery through the discovery service." },
    "cluster.etcd": { summary: "How etcd runs on control plane nodes." },
    "cluster.etcd.ca": { summary: `Certificate authority of etcd. ${CA_PAIR}` },
    "cluster.etcd.ca.crt": { summary: "The CA certificate (base64 of PEM)." },
    "cluster.etcd.ca.key": { summary: "The CA private key (base64 of PEM)." },
    "cluster.etcd.advertisedSubnets": {
      summary: "Subnets whose addresses etcd announces to its peers.",
      examples: [{ value: ["10.0.0.0/8"] }],
    },
  },
};
