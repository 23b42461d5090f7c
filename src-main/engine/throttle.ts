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
