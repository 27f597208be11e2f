// gRPC message framing as grpc-go checks it (siderolabs/talos serves with grpc-go): each
// message starts with a flag byte, 0 (plain) or 1 (compressed with the stream's grpc-encoding).
// grpc-go answers INTERNAL to a compressed message on a stream without an encoding, and to any
// other flag; grpc-js reads any flag but 1 as plain and a 1 without encoding as plain too.
//
// grpc-js exposes no frame-level hook. Its first server interceptor receives the call object
// that reads the frames, and that object passes every whole framed message, flag byte included,
// through its decompressMessage method; wrapping that method on each call (not on the class)
// rejects a bad frame the way grpc-js rejects a message it cannot decompress: the call ends with
// the given status, the connection and its other calls carry on.
import * as grpc from "@grpc/grpc-js";

/** grpc-go's texts (google.golang.org/grpc: rpc_util.go, checkRecvPayload). */
export const COMPRESSED_WITHOUT_ENCODING = "grpc: compressed flag set with identity or empty encoding";
export const unexpectedPayloadFormat = (flag: number) => `grpc: received unexpected payload format ${flag}`;

/** The members of grpc-js's base server call this check relies on. */
interface FrameReader {
  decompressMessage(message: Buffer, encoding: string): Buffer | Promise<Buffer>;
  incomingEncoding: string;
}

function isFrameReader(call: unknown): call is FrameReader {
  const c = call as Partial<FrameReader> | null;
  return typeof c?.decompressMessage === "function" && typeof c.incomingEncoding === "string";
}

/** The refusal for a framed message, or undefined when grpc-go would accept it. */
export function framingError(flag: number, encoding: string): grpc.StatusObject | undefined {
  if (flag === 0) return undefined;
  const details =
    flag === 1
      ? encoding === "" || encoding === "identity"
        ? COMPRESSED_WITHOUT_ENCODING
        : undefined
      : unexpectedPayloadFormat(flag);
  return details === undefined
    ? undefined
    : { code: grpc.status.INTERNAL, details, metadata: new grpc.Metadata() };
}

/**
 * A server interceptor (it must be the first) that checks every incoming message's flag byte.
 * Throws at the first call if grpc-js no longer has the members it wraps, so an upgrade that moves
 * them cannot silently drop the check.
 */
export const strictFraming: grpc.ServerInterceptor = (_method, call) => {
  if (!isFrameReader(call)) {
    throw new Error("grpc-js changed: the server call no longer reads frames through decompressMessage");
  }
  const reader: FrameReader = call;
  const decompress = reader.decompressMessage.bind(reader);
  reader.decompressMessage = (message, encoding) => {
    const refusal = framingError(message.readUInt8(0), reader.incomingEncoding);
    // grpc-js sends a rejection's status as the call's status.
    if (refusal !== undefined) return Promise.reject(refusal);
    return decompress(message, encoding);
  };
  return call as grpc.ServerInterceptingCallInterface as grpc.ServerInterceptingCall;
};
