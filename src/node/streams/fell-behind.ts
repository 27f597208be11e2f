// The one error every follower gets when the ring it reads has overwritten entries it had
// not sent yet: the stream ends with it instead of skipping silently, so a client always knows
// that what it received is complete up to that point and not beyond.

export class FellBehindError extends Error {
  override readonly name = "FellBehindError";

  constructor(
    /** What was being followed: `event stream`, `log "kubelet"`, `kernel log`. */
    readonly what: string,
    /** How far behind, in the ring's unit (`4096 bytes were overwritten before they could be sent`). */
    readonly detail: string,
  ) {
    super(`${what}: reader fell behind, ${detail}`);
  }
}

export function isFellBehind(err: unknown): err is FellBehindError {
  return err instanceof FellBehindError;
}
