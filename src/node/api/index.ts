// The node's API front door: the gRPC server over every contract method, authentication and
// RBAC, routing metadata, TLS identities and the listener that switches between them.
export {
  certificateAuthenticator,
  maintenanceAuthenticator,
  rolesFromSubject,
} from "./auth.js";
export type { Caller, SurfaceCall } from "./call.js";
export { createForwarder, type ForwardContext } from "./forward.js";
export {
  type ApiConnection,
  ApiListener,
  type ConnectionObserver,
  type ListenerSetup,
  peerKey,
} from "./listener.js";
export { type PeerIdentity, PeerPool, peerIdentity } from "./peer-pool.js";
export {
  allowedRoles,
  isAuthorized,
  NOT_AUTHORIZED,
  READER_ONLY_IN_MAINTENANCE,
  Role,
  type RoleName,
} from "./rbac.js";
export { checkRouting, decideRoute, type LocalTarget, localTargets, type Route } from "./routing.js";
export {
  type ApiServerOptions,
  type Authenticator,
  type BidiStreamHandler,
  type ClientStreamHandler,
  createApiServer,
  EncodedMessage,
  type Forwarder,
  type Handler,
  registeredPaths,
  type ServerStreamHandler,
  type TrafficObserver,
  type UnaryHandler,
} from "./server.js";
export { allMethods, findMethod, methodPath, SERVICES } from "./services.js";
export {
  type ConfiguredTls,
  type ConfiguredTlsInput,
  configuredSource,
  configuredTls,
  type MaintenanceTls,
  maintenanceTls,
  serverCredentials,
  spkiFingerprint,
  type TlsIdentity,
} from "./tls.js";
