import type { WeftApi } from '../../nodes/sdk/doors/weft-api.ts';
import { webSocketApi } from './ws-client.ts';
import { sessionKey } from './session-key.ts';

declare global {
  interface Window {
    weft?: WeftApi;
  }
}

let cached: WeftApi | null = null;
type ConnectionListener = (up: boolean) => void;
const connectionListeners = new Set<ConnectionListener>();

/** Tells the UI when the web-mode socket drops or comes back. */
export function onConnectionChange(listener: ConnectionListener): () => void {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}

/** True in the browser (weft serve), false in the desktop app. */
export function isWebMode(): boolean {
  return !window.weft;
}

/**
 * The host API: the preload's in the desktop app, else the web server's WebSocket, authorised by
 * the per-launch token from the page's URL.
 */
export function hostApi(): WeftApi {
  if (window.weft) return window.weft;
  if (!cached) {
    const url = `ws://${location.host}/api?token=${encodeURIComponent(sessionKey())}`;
    cached = webSocketApi(url, (up) => connectionListeners.forEach((l) => l(up)));
  }
  return cached;
}
