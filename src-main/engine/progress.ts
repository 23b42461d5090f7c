/**
 * Progress, in one place: a node's progress is throttled once, in its worker (at most
 * PROGRESS_EVENTS_PER_SECOND messages, always the last step), and the host adds the ETA to what
 * arrives and forwards it as is.
 */

/** Progress messages per node per second, at most; the final step always gets through. */
export const PROGRESS_EVENTS_PER_SECOND = 10;
export const PROGRESS_INTERVAL_MS = 1000 / PROGRESS_EVENTS_PER_SECOND;

/**
 * Keeps the latest value and delivers it at most once per interval, always delivering the last
 * one (trailing edge), so a fast loop is sampled without losing its final state.
 */
export function createThrottle<T>(intervalMs: number, deliver: (value: T) => void): { push(value: T, force?: boolean): void; flush(): void } {
  let last = 0;
  let pending: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fire = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    last = Date.now();
    deliver(value);
  };
  return {
    push(value, force = false) {
      pending = { value };
      const wait = intervalMs - (Date.now() - last);
      if (force || wait <= 0) fire();
      else if (!timer) timer = setTimeout(fire, wait);
    },
    flush: fire,
  };
}

/**
 * Time left, from the pace since the first step seen. A step that goes backwards (a node that
 * restarted, e.g. from a checkpoint) starts the measurement again.
 */
export function etaEstimator(now: () => number = Date.now): (step: number, total: number | undefined) => number | undefined {
  let first: { at: number; step: number } | null = null;
  return (step, total) => {
    const at = now();
    if (!first || step < first.step) first = { at, step };
    const perStep = step > first.step ? (at - first.at) / (step - first.step) : undefined;
    return perStep !== undefined && total !== undefined ? Math.max(0, Math.round((total - step) * perStep)) : undefined;
  };
}
