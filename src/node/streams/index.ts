// Building blocks of the node's server streams: live-resource accounting, parked readers, and
// the explicit error a follower gets when it fell too far behind a ring buffer.
export { FellBehindError, isFellBehind } from "./fell-behind.js";
export { FOLLOWER_STALL_MS, FollowerPositions } from "./followers.js";
export { LiveSet } from "./live.js";
export { Waiters } from "./waiters.js";
