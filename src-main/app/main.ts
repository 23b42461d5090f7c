/** Electron main process: windows, security and IPC wiring only. All logic lives in the engine. */
import { app, BrowserWindow, ipcMain, session } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Engine } from '../engine/engine.ts';
import { nodeRegistry } from '../../nodes/index.ts';
import { resolveWorkspaceDir } from '../store/workspace.ts';
import { bindApi, forwardEvents } from './ipc.ts';
import { hardenSession, lockNavigation, secureWebPreferences } from './security.ts';
import { utilityLauncher } from './utility-launcher.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
const devServer = process.env.ELECTRON_RENDERER_URL;
const appUrl = devServer ?? pathToFileURL(rendererIndex).href;
const isAppUrl = (url: string) => (devServer ? url.startsWith(devServer) : url.split('#')[0]!.split('?')[0] === appUrl);

async function createWindow(engine: Engine) {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    show: false,
    title: 'Weft',
    webPreferences: secureWebPreferences(join(here, '../preload/index.cjs')),
  });
  lockNavigation(win.webContents, isAppUrl);
  forwardEvents(engine, win.webContents);
  win.once('ready-to-show', () => win.show());
  if (devServer) await win.loadURL(devServer);
  else await win.loadFile(rendererIndex);
}

app.enableSandbox();
app.whenReady().then(async () => {
  hardenSession(session.defaultSession);
  const engine = await Engine.open({
    workspace: resolveWorkspaceDir(),
    registry: nodeRegistry,
    registryModule: 'bundled',
    launcher: utilityLauncher(join(here, 'worker.js')),
  });
  bindApi(ipcMain, engine, isAppUrl);
  await createWindow(engine);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow(engine);
  });
  app.on('before-quit', () => void engine.close());
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
