import type { WeftApi } from '../../nodes/sdk/api.ts';

declare global {
  interface Window {
    weft?: WeftApi;
  }
}

/** The host API: the preload's in the desktop app. */
export function hostApi(): WeftApi {
  if (!window.weft) throw new Error('Weft API not available');
  return window.weft;
}
