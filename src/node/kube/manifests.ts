// The bootstrap manifests Talos renders from the machine config and applies to a new cluster
// (siderolabs/talos: internal/app/machined/pkg/controllers/k8s/manifest.go and its templates):
// the bootstrap token, the node bootstrap RBAC, the in-cluster kubeconfig, the Talos node RBAC,
// CoreDNS, flannel and kube-proxy. Each manifest is a named list of objects.
import type { KubeClusterFacts } from "./cluster-config.js";
import type { Json } from "./objects.js";

export interface Manifest {
  /** Talos's manifest id, e.g. `10-kube-proxy`. */
  readonly id: string;
  readonly objects: readonly Json[];
}

const RBAC = "rbac.authorization.k8s.io";

function clusterRoleBinding(name: string, role: string, groups: readonly string[]): Json {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role },
    subjects: groups.map((g) => ({ apiGroup: RBAC, kind: "Group", name: g })),
  };
}

function serviceAccount(name: string): Json {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: "kube-system" } };
}

const LINUX_AFFINITY = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }] },
      ],
    },
  },
};

/** The first address of the service network (`10.96.0.0/12` → `10.96.0.1`), and the DNS one (`.10`). */
export function serviceIps(serviceSubnet: string): { apiServer: string; dns: string } {
  const base = serviceSubnet.split("/")[0]!.split(".").map(Number);
  const ip = (last: number) => `${base[0]}.${base[1]}.${base[2]}.${(base[3] ?? 0) + last}`;
  return { apiServer: ip(1), dns: ip(10) };
}

export function bootstrapManifests(facts: KubeClusterFacts): Manifest[] {
  const [tokenId = "", tokenSecret = ""] = facts.bootstrapToken.split(".");
  const out: Manifest[] = [
    {
      id: "00-kubelet-bootstrapping-token",
      objects: [
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: `bootstrap-token-${tokenId}`, namespace: "kube-system" },
          type: "bootstrap.kubernetes.io/token",
          data: Object.fromEntries(
            Object.entries({
              "token-id": tokenId,
              "token-secret": tokenSecret,
              "usage-bootstrap-authentication": "true",
              "auth-extra-groups": "system:bootstrappers:nodes",
            }).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
          ),
        },
      ],
    },
    {
      id: "01-csr-node-bootstrap",
      objects: [
        clusterRoleBinding("system-bootstrap-node-bootstrapper", "system:node-bootstrapper", [
          "system:bootstrappers:nodes",
          "system:nodes",
        ]),
      ],
    },
    {
      id: "01-csr-approver-role-binding",
      objects: [
        clusterRoleBinding(
          "system-bootstrap-approve-node-client-csr",
          "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
          ["system:bootstrappers:nodes"],
        ),
      ],
    },
    {
      id: "01-csr-renewal-role-binding",
      objects: [
        clusterRoleBinding(
          "system-bootstrap-node-renewal",
          "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
          ["system:nodes"],
        ),
      ],
    },
    {
      id: "11-kube-config-in-cluster",
      objects: [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "kubeconfig-in-cluster", namespace: "kube-system" },
          data: {
            kubeconfig: [
              "apiVersion: v1",
              "kind: Config",
              "clusters:",
              "- name: local",
              "  cluster:",
              "    server: https://127.0.0.1:7445",
              "    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
              "users:",
              "- name: service-account",
              "  user:",
              "    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token",
              "contexts:",
              "- context:",
              "    cluster: local",
              "    user: service-account",
              "  name: local",
              "current-context: local",
              "",
            ].join("\n"),
          },
        },
      ],
    },
    {
      id: "11-talos-node-rbac-template",
      objects: [
        {
          apiVersion: `${RBAC}/v1`,
          kind: "ClusterRole",
          metadata: { name: "system:talos-nodes" },
          rules: [
            {
              apiGroups: ["discovery.k8s.io"],
              resources: ["endpointslices"],
              verbs: ["get", "list", "watch"],
            },
          ],
        },
        clusterRoleBinding("system:talos-nodes", "system:talos-nodes", ["system:nodes"]),
      ],
    },
  ];
  if (facts.coreDnsEnabled) {
    const { dns } = serviceIps(facts.serviceSubnets[0] ?? "10.96.0.0/12");
    out.push(
      {
        id: "11-core-dns",
        objects: [
          clusterRoleBinding("system:coredns", "system:coredns", []),
          {
            apiVersion: `${RBAC}/v1`,
            kind: "ClusterRole",
            metadata: { name: "system:coredns" },
            rules: [
              {
                apiGroups: [""],
                resources: ["endpoints", "services", "pods", "namespaces"],
                verbs: ["list", "watch"],
              },
              { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
            ],
          },
          serviceAccount("coredns"),
          {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "coredns", namespace: "kube-system" },
            data: {
              Corefile: [
                ".:53 {",
                "    errors",
                "    health {",
                "        lameduck 5s",
                "    }",
                "    ready",
                "    log . {",
                "        class error",
                "    }",
                "    prometheus :9153",
                `    kubernetes ${facts.dnsDomain} in-addr.arpa ip6.arpa {`,
                "        pods insecure",
                "        fallthrough in-addr.arpa ip6.arpa",
                "        ttl 30",
                "    }",
                "    forward . /etc/resolv.conf {",
                "       max_concurrent 1000",
                "    }",
                "    cache 30 {",
                "        disable success",
                "        disable denial",
                "    }",
                "    loop",
                "    reload",
                "    loadbalance",
                "}",
                "",
              ].join("\n"),
            },
          },
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: {
              name: "coredns",
              namespace: "kube-system",
              labels: { "k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS" },
            },
            spec: {
              replicas: 2,
              selector: { matchLabels: { "k8s-app": "kube-dns" } },
              strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
              template: {
                metadata: { labels: { "k8s-app": "kube-dns" } },
                spec: {
                  affinity: LINUX_AFFINITY,
                  containers: [
                    {
                      name: "coredns",
                      image: facts.images.coreDns,
                      imagePullPolicy: "IfNotPresent",
                      args: ["-conf", "/etc/coredns/Corefile"],
                      ports: [
                        { containerPort: 53, name: "dns", protocol: "UDP" },
                        { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
                        { containerPort: 9153, name: "metrics", protocol: "TCP" },
                      ],
                      resources: { limits: { memory: "170Mi" }, requests: { cpu: "100m", memory: "70Mi" } },
                      volumeMounts: [{ mountPath: "/etc/coredns", name: "config-volume", readOnly: true }],
                    },
                  ],
                  dnsPolicy: "Default",
                  nodeSelector: { "kubernetes.io/os": "linux" },
                  priorityClassName: "system-cluster-critical",
                  serviceAccountName: "coredns",
                  tolerations: [
                    {
                      effect: "NoSchedule",
                      key: "node-role.kubernetes.io/control-plane",
                      operator: "Exists",
                    },
                    {
                      effect: "NoSchedule",
                      key: "node.cloudprovider.kubernetes.io/uninitialized",
                      operator: "Exists",
                    },
                  ],
                  volumes: [
                    {
                      name: "config-volume",
                      configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }] },
                    },
                  ],
                },
              },
            },
          },
        ],
      },
      {
        id: "11-core-dns-svc",
        objects: [
          {
            apiVersion: "v1",
            kind: "Service",
            metadata: {
              name: "kube-dns",
              namespace: "kube-system",
              labels: {
                "k8s-app": "kube-dns",
                "kubernetes.io/cluster-service": "true",
                "kubernetes.io/name": "CoreDNS",
              },
              annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" },
            },
            spec: {
              clusterIP: dns,
              ports: [
                { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
                { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
                { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
              ],
              selector: { "k8s-app": "kube-dns" },
            },
          },
        ],
      },
    );
  }
  if (facts.cni === "flannel") {
    out.push({
      id: "05-flannel",
      objects: [
        {
          apiVersion: `${RBAC}/v1`,
          kind: "ClusterRole",
          metadata: { name: "flannel" },
          rules: [
            { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
            { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] },
            { apiGroups: [""], resources: ["nodes/status"], verbs: ["patch"] },
          ],
        },
        {
          apiVersion: `${RBAC}/v1`,
          kind: "ClusterRoleBinding",
          metadata: { name: "flannel" },
          roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "flannel" },
          subjects: [{ kind: "ServiceAccount", name: "flannel", namespace: "kube-system" }],
        },
        serviceAccount("flannel"),
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: "kube-flannel-cfg",
            namespace: "kube-system",
            labels: { app: "flannel", tier: "node" },
          },
          data: {
            "cni-conf.json": JSON.stringify({
              name: "cbr0",
              cniVersion: "1.0.0",
              plugins: [
                { type: "flannel", delegate: { hairpinMode: true, isDefaultGateway: true } },
                { type: "portmap", capabilities: { portMappings: true } },
              ],
            }),
            "net-conf.json": JSON.stringify({
              Network: facts.podSubnets[0] ?? "10.244.0.0/16",
              Backend: { Type: "vxlan", Port: 4789 },
            }),
          },
        },
        {
          apiVersion: "apps/v1",
          kind: "DaemonSet",
          metadata: {
            name: "kube-flannel",
            namespace: "kube-system",
            labels: { "k8s-app": "flannel", tier: "node" },
          },
          spec: {
            selector: { matchLabels: { "k8s-app": "flannel", tier: "node" } },
            template: {
              metadata: { labels: { "k8s-app": "flannel", tier: "node" } },
              spec: {
                affinity: LINUX_AFFINITY,
                containers: [
                  {
                    name: "kube-flannel",
                    image: facts.images.flannel,
                    command: ["/opt/bin/flanneld"],
                    args: ["--ip-masq", "--kube-subnet-mgr"],
                    resources: { requests: { cpu: "100m", memory: "50Mi" } },
                    securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW"] }, privileged: false },
                  },
                ],
                initContainers: [
                  {
                    name: "install-config",
                    image: facts.images.flannel,
                    command: ["cp"],
                    args: ["-f", "/etc/kube-flannel/cni-conf.json", "/etc/cni/net.d/10-flannel.conflist"],
                  },
                ],
                hostNetwork: true,
                priorityClassName: "system-node-critical",
                serviceAccountName: "flannel",
                tolerations: [
                  { effect: "NoSchedule", operator: "Exists" },
                  { effect: "NoExecute", operator: "Exists" },
                ],
              },
            },
          },
        },
      ],
    });
  }
  if (facts.proxyEnabled) {
    out.push({
      id: "10-kube-proxy",
      objects: [
        serviceAccount("kube-proxy"),
        {
          apiVersion: `${RBAC}/v1`,
          kind: "ClusterRoleBinding",
          metadata: { name: "kube-proxy" },
          roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "system:node-proxier" },
          subjects: [{ kind: "ServiceAccount", name: "kube-proxy", namespace: "kube-system" }],
        },
        {
          apiVersion: "apps/v1",
          kind: "DaemonSet",
          metadata: {
            name: "kube-proxy",
            namespace: "kube-system",
            labels: { "k8s-app": "kube-proxy", tier: "node" },
          },
          spec: {
            selector: { matchLabels: { "k8s-app": "kube-proxy", tier: "node" } },
            template: {
              metadata: { labels: { "k8s-app": "kube-proxy", tier: "node" } },
              spec: {
                affinity: LINUX_AFFINITY,
                containers: [
                  {
                    name: "kube-proxy",
                    image: facts.images.proxy,
                    command: [
                      "/usr/local/bin/kube-proxy",
                      `--cluster-cidr=${facts.podSubnets.join(",")}`,
                      "--hostname-override=$(NODE_NAME)",
                      "--kubeconfig=/etc/kubernetes/kubeconfig",
                      "--proxy-mode=iptables",
                      "--conntrack-max-per-core=0",
                    ],
                    env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
                    resources: { requests: { cpu: "100m", memory: "50Mi" } },
                    securityContext: { privileged: true },
                  },
                ],
                hostNetwork: true,
                priorityClassName: "system-cluster-critical",
                serviceAccountName: "kube-proxy",
                tolerations: [
                  { effect: "NoSchedule", operator: "Exists" },
                  { effect: "NoExecute", operator: "Exists" },
                ],
              },
            },
          },
        },
      ],
    });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
