// Limits of the node's API, in one place.

/** Largest gRPC message in either direction (Talos's GRPCMaxMessageSize). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** The port apid listens on. */
export const API_PORT = 50000;
