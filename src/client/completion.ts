// Live shell completion: one short-lived client from the command line's connection flags,
// bounded in time so a node that does not answer never hangs the user's shell.

import type { TalosClient } from "./client.js";
import { type ClientEnvironment, type ConnectionFlags, openClient } from "./factory.js";

export const COMPLETION_TIMEOUT_MS = 5_000;

export async function completionQuery(
  flags: ConnectionFlags,
  environment: ClientEnvironment,
  query: (client: TalosClient, nodes: readonly string[]) => Promise<string[]>,
): Promise<string[]> {
  const signal = AbortSignal.any([environment.signal, AbortSignal.timeout(COMPLETION_TIMEOUT_MS)]);
  const { client, nodes } = openClient(flags, { ...environment, signal });
  try {
    return await query(client, nodes);
  } finally {
    client.close();
  }
}
