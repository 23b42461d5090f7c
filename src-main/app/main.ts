/** Electron main process: windows, menus, dialogs, security and IPC wiring only. All logic lives in the engine. */
import { app, BrowserWindow, dialog, ipcMain, screen, session, shell } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WeftHost } from '../host/weft-host.ts';
import { nodeRegistry } from '../../nodes/index.ts';
import { machineGpus } from '../../nodes/lib/gpu-inventory.ts';
import { MENU_CHANNEL, type MenuCommand } from '../../nodes/sdk/doors/shell-api.ts';
import { resolveWorkspaceDir, workspacePaths } from '../store/workspace.ts';
import { guardDirtyClose } from './close-guard.ts';
import { DocumentStates } from './document-state.ts';
import { bindApi, forwardEvents } from './ipc.ts';
import { aboutDetail, installMenu } from './menu.ts';
import { RecentFiles } from './recent-files.ts';
import { hardenSession, lockNavigation, secureWebPreferences } from './security.ts';
import { bindShell } from './shell-ipc.ts';
import { utilityLauncher } from './utility-launcher.ts';
import { loadWindowState, restoredBounds, trackWindowState, windowStateFile } from './window-state.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
const devServer = process.env.ELECTRON_RENDERER_URL;
const appUrl = devServer ?? pathToFileURL(rendererIndex).href;
const isAppUrl = (url: string) => (devServer ? url.startsWith(devServer) : url.split('#')[0]!.split('?')[0] === appUrl);

const documents = new DocumentStates(process.platform);
// Set by a quit in progress, so that discarding a dirty window's edits lets the quit go on.
let quitting = false;

async function createWindow(engine: WeftHost) {
  const stateFile = windowStateFile(app.getPath('userData'));
  const saved = loadWindowState(stateFile);
  const bounds = restoredBounds(
    saved,
    screen.getAllDisplays().map((d) => d.workArea),
    screen.getPrimaryDisplay().workArea,
  );
  const win = new BrowserWindow({
    ...bounds,
    show: false,
    title: 'Weft',
    webPreferences: secureWebPreferences(join(here, '../preload/index.cjs')),
  });
  if (saved?.maximized) win.maximize();
  if (saved?.fullScreen) win.setFullScreen(true);
  trackWindowState(win, stateFile);
  guardDirtyClose(win, {
    documents,
    showMessageBox: (w, options) => dialog.showMessageBox(w as BrowserWindow, options),
    onCancel: () => (quitting = false),
    onDiscard: () => {
      if (quitting) app.quit();
    },
  });
  // Once the renderer reports its document through the shell, the shell owns the title (it differs
  // per platform); until then the page's own <title> shows.
  win.on('page-title-updated', (event) => {
    if (documents.get(win)) event.preventDefault();
  });
  lockNavigation(win.webContents, isAppUrl);
  forwardEvents(engine, win.webContents);
  win.once('ready-to-show', () => win.show());
  if (devServer) await win.loadURL(devServer);
  else await win.loadFile(rendererIndex);
  return win;
}

/**
 * A menu command goes to the focused window. With no window at all (macOS keeps the app running),
 * a new one opens instead; the command itself is dropped, because the new editor is not listening
 * yet, and the user sees the window the command would have needed.
 */
function sendMenuCommand(engine: WeftHost, command: MenuCommand) {
  const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  if (win) win.webContents.send(MENU_CHANNEL, command);
  else void createWindow(engine);
}

app.enableSandbox();
app.whenReady().then(async () => {
  hardenSession(session.defaultSession);
  const workspace = resolveWorkspaceDir();
  // Several GPUs: each heavy node's worker is started bound to its GPU (see nodes/lib/gpu-inventory.ts).
  const gpus = machineGpus().assignment;
  const engine = await WeftHost.open({
    workspace,
    registry: nodeRegistry,
    registryModule: 'bundled',
    launcher: utilityLauncher(join(here, 'worker.js'), gpus.env),
    gpuCount: gpus.count,
    gpuBound: gpus.env.length > 0,
  });

  const rebuildMenu = async () =>
    installMenu({
      platform: process.platform,
      isPackaged: app.isPackaged,
      appName: 'Weft',
      version: app.getVersion(),
      recentFiles: await recent.list(),
      send: (command) => sendMenuCommand(engine, command),
      clearRecent: () => void recent.clear(),
      showAbout: () => {
        const options = { type: 'info' as const, title: 'About Weft', message: `Weft ${app.getVersion()}`, detail: aboutDetail(app.getVersion(), process.versions) };
        const win = BrowserWindow.getFocusedWindow();
        void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
      },
    });
  const recent = new RecentFiles({ dir: app.getPath('userData'), app, onChange: () => void rebuildMenu() });
  await rebuildMenu();

  bindApi(ipcMain, engine, isAppUrl);
  bindShell(
    ipcMain,
    {
      dialog,
      shell,
      windowFor: (contents) => BrowserWindow.fromWebContents(contents),
      graphsDir: workspacePaths(workspace).graphs,
      recent,
      documents,
      platform: process.platform,
      onPicked: (path) => engine.recordPickedPath(path),
    },
    isAppUrl,
  );
  await createWindow(engine);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow(engine);
  });
  app.on('before-quit', () => (quitting = true));
  // will-quit, not before-quit: a dirty window can still cancel the quit after before-quit.
  app.on('will-quit', () => void engine.close());
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
