// The emulated components' periods. Each is machine time (it shrinks with --time-scale) with a
// real-time floor, so a fast clock speeds the cluster up without turning heartbeats and leader
// election into a busy loop; expiries keep a few renewals' margin over their renewal period.

export interface Period {
  /** Machine milliseconds, as Kubernetes's defaults. */
  readonly machine: number;
  /** Real milliseconds it never goes below. */
  readonly floor: number;
}

/** The kubelet renews its node Lease (lease duration 40 s). */
export const NODE_LEASE_RENEW: Period = { machine: 10_000, floor: 500 };
/** A node whose lease is this old is Unknown (--node-monitor-grace-period). */
export const NODE_MONITOR_GRACE: Period = { machine: 40_000, floor: 2_500 };
/** Leader election retry, and how long a leader's lease lasts (client-go's 2 s and 15 s). */
export const LEADER_RETRY: Period = { machine: 2_000, floor: 300 };
export const LEADER_LEASE: Period = { machine: 15_000, floor: 1_500 };
/** API server identity leases, and how long one counts as live. */
export const APISERVER_LEASE_RENEW: Period = { machine: 10_000, floor: 1_000 };
export const APISERVER_LEASE_LIVE: Period = { machine: 30_000, floor: 3_000 };
/** How often the controllers resync without being told of a change. */
export const CONTROLLER_RESYNC: Period = { machine: 2_000, floor: 500 };

/** Real milliseconds of a period on a clock that runs `real(ms)` for machine ms. */
export function realPeriod(real: (ms: number) => number, p: Period): number {
  return Math.max(p.floor, real(p.machine));
}

/** Whether more than the period (in real time) passed since a wall-clock timestamp. */
export function olderThan(now: Date, iso: string, real: (ms: number) => number, p: Period): boolean {
  const at = Date.parse(iso);
  return !Number.isFinite(at) || now.getTime() - at > realPeriod(real, p);
}
