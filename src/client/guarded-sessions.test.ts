import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Http2SessionManager } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { GuardedSessions } from "./guarded-sessions.js";

/** One request to the end of its response. */
async function get(sessions: GuardedSessions<Http2SessionManager>): Promise<http2.ClientHttp2Stream> {
  const stream = await sessions.request("POST", "/x", {}, {});
  stream.end();
  await new Promise<void>((resolve, reject) => {
    stream.on("data", () => sessions.notifyResponseByteRead(stream));
    stream.once("end", resolve);
    stream.once("error", reject);
  });
  return stream;
}

describe("GuardedSessions", () => {
  let server: http2.Http2Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  });

  it("keeps an error listener on a session the manager left after a GOAWAY on an idle connection", async () => {
    server = http2.createServer();
    const serverSessions = new Set<http2.ServerHttp2Session>();
    server.on("session", (s) => serverSessions.add(s));
    server.on("stream", (stream) => {
      stream.respond({ ":status": 200 });
      stream.end("ok");
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const sessions = new GuardedSessions(new Http2SessionManager(`http://127.0.0.1:${port}`));
    try {
      const first = (await get(sessions)).session!;
      // The server says goodbye to the idle connection, as a node does when it goes down.
      const goaway = new Promise((resolve) => first.once("goaway", resolve));
      for (const s of serverSessions) s.close();
      await goaway;
      // The next request makes the manager move to a new session and drop its listeners.
      const second = (await get(sessions)).session!;
      expect(second === first).toBe(false);
      expect(first.listenerCount("error")).toBeGreaterThan(0);
    } finally {
      sessions.abort();
    }
  });
});
