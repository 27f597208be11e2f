// Failures of the etcd commands as talosctl prints them: one line, an RPC failure in gRPC's
// words (`rpc error: code = ... desc = ...`), a local one as the library worded it.
import { toRpcError } from "../../../client/index.js";
import { TalosError, UserError } from "../../../errors.js";
import type { CliContext } from "../../context.js";

export async function oneLine<T>(ctx: CliContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UserError) throw err;
    const message = err instanceof TalosError ? err.message : toRpcError(err, ctx.signal.aborted).message;
    throw new UserError(message, { cause: err });
  }
}
