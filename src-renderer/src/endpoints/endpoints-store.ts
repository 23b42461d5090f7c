/**
 * The workspace's endpoints as the editor shows them: asked of the host (which asks each endpoint)
 * every few seconds while something on screen watches them (the Endpoints dialog, a deploy node).
 */
import type { WeftApi } from '../../../nodes/sdk/doors/weft-api.ts';
import type { EndpointInfo } from '../../../nodes/sdk/endpoints.ts';

const POLL_MS = 4000;

export class EndpointsStore {
  private list: EndpointInfo[] = [];
  private error: string | null = null;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight = false;

  constructor(private readonly api: Pick<WeftApi, 'listEndpoints'>) {}

  /** Subscribing starts polling; the last unsubscribe stops it. */
  subscribe = (l: () => void) => {
    this.listeners.add(l);
    if (this.listeners.size === 1) void this.refresh();
    return () => {
      this.listeners.delete(l);
      if (!this.listeners.size && this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
    };
  };

  getList = () => this.list;
  getError = () => this.error;

  /** Asks now (after a stop, a run's end), then keeps polling while watched. */
  async refresh(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      this.list = await this.api.listEndpoints();
      this.error = null;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.inFlight = false;
      this.listeners.forEach((l) => l());
      if (this.listeners.size) this.timer = setTimeout(() => void this.refresh(), POLL_MS);
    }
  }
}
