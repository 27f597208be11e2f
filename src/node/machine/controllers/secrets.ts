// The secrets a node derives from its config, as Talos's secrets controllers do (siderolabs/talos:
// internal/app/machined/pkg/controllers/secrets): the roots (OS, etcd, Kubernetes, maintenance)
// copied from the config, the certificate SANs from the node's hostname and addresses, and the
// certificates issued from those roots (API, trustd, etcd, the Kubernetes API server and the
// kubeconfigs of its components). Certificates are issued once per set of inputs and kept, so a
// controller that runs again for an unrelated change writes the same resource.
// The controllers live in secrets-roots, secrets-certs and secrets-kubeconfigs; this file lists
// them in the order they first run.
import type { Controller } from "../../resources/index.js";
import { apiCerts, etcdCerts, kubeletSecrets, trustdCerts } from "./secrets-certs.js";
import { kubernetesCerts, kubernetesDynamicCerts } from "./secrets-kubeconfigs.js";
import {
  apiCertSans,
  encryptionSalt,
  kubernetesCertSans,
  maintenanceCertSans,
  maintenanceRoot,
  rootEtcd,
  rootKubernetes,
  rootOs,
} from "./secrets-roots.js";
import type { MachineSource } from "./source.js";

export {
  API_CERTS,
  CERT_SAN,
  ENCRYPTION_SALT,
  ETCD_CERTS,
  ETCD_ROOT,
  KUBELET_SECRETS,
  KUBERNETES_CERTS,
  KUBERNETES_DYNAMIC_CERTS,
  KUBERNETES_ROOT,
  MAINTENANCE_ROOT,
  OS_ROOT,
  TRUSTD_CERTS,
} from "./secrets-common.js";
export { kubernetesRoot } from "./secrets-roots.js";

export const SECRETS_CONTROLLERS: readonly Controller<MachineSource>[] = [
  rootOs,
  rootEtcd,
  rootKubernetes,
  maintenanceRoot,
  apiCertSans,
  kubernetesCertSans,
  maintenanceCertSans,
  apiCerts,
  trustdCerts,
  etcdCerts,
  kubeletSecrets,
  kubernetesCerts,
  kubernetesDynamicCerts,
  encryptionSalt,
];
