/** Exposes exactly Weft's API to the renderer, nothing generic (no ipcRenderer, no Node). */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EngineEvent, WeftApi } from '../../nodes/sdk/index.ts';

const call =
  (method: string) =>
  (...args: unknown[]) =>
    ipcRenderer.invoke(`weft:${method}`, ...args);

const api: WeftApi = {
  listNodeTypes: call('listNodeTypes') as WeftApi['listNodeTypes'],
  validateGraph: call('validateGraph') as WeftApi['validateGraph'],
  startRun: call('startRun') as WeftApi['startRun'],
  cancelRun: call('cancelRun') as WeftApi['cancelRun'],
  pauseRun: call('pauseRun') as WeftApi['pauseRun'],
  resumeRun: call('resumeRun') as WeftApi['resumeRun'],
  replayRun: call('replayRun') as WeftApi['replayRun'],
  listRuns: call('listRuns') as WeftApi['listRuns'],
  getRun: call('getRun') as WeftApi['getRun'],
  getRunEvents: call('getRunEvents') as WeftApi['getRunEvents'],
  openGraph: call('openGraph') as WeftApi['openGraph'],
  saveGraph: call('saveGraph') as WeftApi['saveGraph'],
  listTemplates: call('listTemplates') as WeftApi['listTemplates'],
  subscribe(listener) {
    const handler = (_event: IpcRendererEvent, payload: EngineEvent) => listener(payload);
    ipcRenderer.on('weft:event', handler);
    return () => ipcRenderer.removeListener('weft:event', handler);
  },
};

contextBridge.exposeInMainWorld('weft', api);
