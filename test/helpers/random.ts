// Random choices a test depends on (loopback networks, timings) are printed with the test's
// output, so a failure can be replayed with the same values.
import { randomInt } from "node:crypto";
import net from "node:net";

/** Prints a random value a test uses: `[test random] <name>=<value>`. */
export function logRandom<T>(name: string, value: T): T {
  console.info(`[test random] ${name}=${String(value)}`);
  return value;
}

/**
 * A seeded generator of numbers in [0, 1). The seed is printed; `TALOS_TEST_SEED=<seed>` replays
 * the same sequence.
 */
export function seededRandom(name: string): () => number {
  const fromEnv = process.env.TALOS_TEST_SEED;
  const seed = fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) : randomInt(2 ** 31);
  logRandom(`${name} seed`, seed);
  // mulberry32: small, fast and good enough to spread test timings.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The first `count` node addresses of a /24 CIDR (its .2, .3, ...). */
export function cidrAddresses(cidr: string, count: number): string[] {
  const base = cidr.split("/")[0]!.split(".").slice(0, 3).join(".");
  return Array.from({ length: count }, (_, i) => `${base}.${i + 2}`);
}

/** Whether nothing listens on host:port (a listener can be opened there now). */
function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export interface LoopbackCidrOptions {
  /** Nodes that will live at .2, .3, ... (default 8). */
  count?: number;
  /** Ports the nodes will listen on (default the API's 50000 and trustd's 50001). */
  ports?: readonly number[];
  /** Printed with the choice (default "cidr"). */
  name?: string;
}

/**
 * A random loopback /24 (127.10.0.0 to 127.249.255.0, away from 127.0.x and the default cluster
 * network 127.5.0.0/24) whose node addresses have the given ports free, so that test files and
 * whole test runs going on at once on this machine do not collide. The choice is printed.
 */
export async function freeLoopbackCidr(options: LoopbackCidrOptions = {}): Promise<string> {
  const count = options.count ?? 8;
  const ports = options.ports ?? [50000, 50001];
  for (let attempt = 0; attempt < 20; attempt++) {
    const cidr = `127.${randomInt(10, 250)}.${randomInt(0, 256)}.0/24`;
    const checks = cidrAddresses(cidr, count).flatMap((host) => ports.map((port) => portFree(host, port)));
    if ((await Promise.all(checks)).every(Boolean)) return logRandom(options.name ?? "cidr", cidr);
  }
  throw new Error("no free loopback /24 found in 20 tries");
}
