// Keys, certificates and the secrets bundle: what the rest of the toolkit may use.
export {
  type BundleCerts,
  type BundleCluster,
  type BundleKey,
  type BundleSecrets,
  type BundleSeed,
  type BundleTrustdInfo,
  type GenerateBundleOptions,
  generateBundle,
  generateToken,
  type LoadedSecretsBundle,
  randomBase64,
  type SecretsBundle,
} from "./bundle.js";
export { encodeBundle, loadBundle, REDACTED, readSecretsBundleFile } from "./bundle-file.js";
export {
  ADMIN_CERTIFICATE_VALIDITY_MS,
  type CertAndKeyPem,
  type CertificateAuthority,
  type CreateCertificateAuthorityOptions,
  createCertificateAuthority,
  type IssueClientCertificateOptions,
  type IssueServerCertificateOptions,
  issueClientCertificate,
  issueServerCertificate,
  leafKeyKind,
  loadCertificateAuthority,
} from "./ca.js";
export {
  CURRENT_CONTRACT,
  contractGreater,
  formatContract,
  parseContract,
  usesRsaServiceAccountKey,
  usesSecretboxEncryption,
  type VersionContract,
} from "./contract.js";
export {
  type CreateCsrOptions,
  createCertificateSigningRequest,
  type ParsedCsr,
  parseCertificateSigningRequest,
  type SignCsrOptions,
  signCertificateRequest,
} from "./csr.js";
export { bundleFromKubernetesPki, type KubernetesPkiOptions } from "./from-kubernetes-pki.js";
export { bundleFromMachineConfig, parseMachineConfigDocuments } from "./from-machine-config.js";
export {
  describeKey,
  encodePrivateKeyPem,
  generatePrivateKey,
  type KeyGenerator,
  type KeyKind,
  keyKindOf,
  PemParseError,
  parsePrivateKeyPem,
  publicKeyDer,
  RSA_KEY_BITS,
  toTlsKeyPem,
} from "./keys.js";
export { decodePem, encodePem, isStrictBase64, PEM_LABEL, type PemBlock, relabelPem } from "./pem.js";
export { KNOWN_ROLES, type ParsedRoles, parseRoles, ROLE, unknownRolesMessage } from "./roles.js";
export { validateBundle } from "./validate.js";
export { SECRET_FILE_MODE, type SecretFile, writeSecretFiles } from "./write.js";
export {
  CA_VALIDITY_MS,
  certificateHash,
  type ParsedCertificate,
  parseCertificatePem,
} from "./x509.js";
