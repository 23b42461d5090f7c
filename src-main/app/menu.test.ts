import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../nodes/sdk/doors/shell-api.ts';
import { aboutDetail, buildMenuTemplate, installMenu, type MenuContext } from './menu.ts';

const electron = vi.hoisted(() => ({
  buildFromTemplate: vi.fn((template: unknown) => ({ template })),
  setApplicationMenu: vi.fn(),
}));
vi.mock('electron', () => ({ Menu: electron }));

type Item = MenuItemConstructorOptions;

function context(over: Partial<MenuContext> = {}): MenuContext & { sent: MenuCommand[] } {
  const sent: MenuCommand[] = [];
  return {
    platform: 'linux',
    isPackaged: false,
    appName: 'Weft',
    version: '1.2.3',
    recentFiles: [],
    send: (c) => sent.push(c),
    clearRecent: vi.fn(),
    showAbout: vi.fn(),
    sent,
    ...over,
  };
}

const submenu = (item: Item | undefined) => (item?.submenu ?? []) as Item[];
const top = (template: Item[], label: string) => template.find((m) => m.label?.replace('&', '') === label);
const item = (menu: Item | undefined, label: string) => submenu(menu).find((i) => i.label === label);
const click = (i: Item | undefined) => (i!.click as () => void)();

describe('application menu', () => {
  it('has File, Edit, View, Run, Window and Help, with every item', () => {
    const t = buildMenuTemplate(context());
    expect(t.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Run', '&Window', '&Help']);
    const labels = (name: string) => submenu(top(t, name)).filter((i) => i.type !== 'separator').map((i) => i.label);
    expect(labels('File')).toEqual(['New', 'Open…', 'Open Recent', 'Templates…', 'Save', 'Save As…', 'Close Window', 'Quit']);
    expect(labels('Edit')).toEqual(['Undo', 'Redo', 'Cut', 'Copy', 'Paste', 'Duplicate', 'Delete', 'Select All']);
    expect(labels('View')).toEqual(['Fit View', 'Tidy Layout', 'History', 'Playground', 'Zoom In', 'Zoom Out', 'Actual Size', 'Toggle Full Screen', 'Toggle Developer Tools']);
    expect(labels('Run')).toEqual(['Run', 'Pause', 'Resume', 'Cancel']);
    expect(labels('Help')).toEqual(['Keyboard Shortcuts', 'About Weft 1.2.3']);
    expect(top(t, 'Window')!.role).toBe('windowMenu');
  });

  it('uses CmdOrCtrl accelerators and native roles where the editor has nothing to add', () => {
    const t = buildMenuTemplate(context());
    const accel = (menu: string, label: string) => item(top(t, menu), label)!.accelerator;
    expect(accel('File', 'New')).toBe('CmdOrCtrl+N');
    expect(accel('File', 'Open…')).toBe('CmdOrCtrl+O');
    expect(accel('File', 'Save')).toBe('CmdOrCtrl+S');
    expect(accel('File', 'Save As…')).toBe('CmdOrCtrl+Shift+S');
    expect(accel('Edit', 'Undo')).toBe('CmdOrCtrl+Z');
    expect(accel('Edit', 'Duplicate')).toBe('CmdOrCtrl+D');
    expect(accel('Edit', 'Select All')).toBe('CmdOrCtrl+A');
    expect(accel('Run', 'Run')).toBe('CmdOrCtrl+Enter');
    expect(accel('View', 'Fit View')).toBe('F');
    expect(accel('View', 'Tidy Layout')).toBe('L');
    // Bare letters are shown, not registered: typing "f" in a field must insert an f.
    expect(item(top(t, 'View'), 'Fit View')!.registerAccelerator).toBe(false);
    expect(item(top(t, 'View'), 'Zoom In')!.role).toBe('zoomIn');
    expect(item(top(t, 'View'), 'Zoom Out')!.role).toBe('zoomOut');
    expect(item(top(t, 'View'), 'Actual Size')!.role).toBe('resetZoom');
    expect(item(top(t, 'View'), 'Toggle Full Screen')!.role).toBe('togglefullscreen');
    expect(item(top(t, 'File'), 'Close Window')!.role).toBe('close');
    expect(item(top(t, 'File'), 'Quit')!.role).toBe('quit');
  });

  it('sends each command to the renderer on click, Edit items included', () => {
    const ctx = context();
    const t = buildMenuTemplate(ctx);
    click(item(top(t, 'File'), 'Save As…'));
    click(item(top(t, 'Edit'), 'Paste'));
    click(item(top(t, 'Edit'), 'Select All'));
    click(item(top(t, 'View'), 'Tidy Layout'));
    click(item(top(t, 'Run'), 'Cancel'));
    click(item(top(t, 'Help'), 'Keyboard Shortcuts'));
    expect(ctx.sent).toEqual([{ command: 'save-as' }, { command: 'paste' }, { command: 'select-all' }, { command: 'tidy' }, { command: 'cancel' }, { command: 'shortcuts' }]);
    expect(submenu(top(t, 'Edit')).every((i) => i.type === 'separator' || (!i.role && i.click))).toBe(true);
    click(item(top(t, 'Help'), 'About Weft 1.2.3'));
    expect(ctx.showAbout).toHaveBeenCalledOnce();
  });

  it('lists recent files; clicking one sends open-recent with its path; Clear Recent clears', () => {
    const ctx = context({ recentFiles: ['/g/b.weft.json', '/g/R&D.weft.json'] });
    const recent = submenu(item(top(buildMenuTemplate(ctx), 'File'), 'Open Recent'));
    expect(recent.map((i) => i.label ?? i.type)).toEqual(['/g/b.weft.json', '/g/R&&D.weft.json', 'separator', 'Clear Recent']);
    click(recent[1]);
    expect(ctx.sent).toEqual([{ command: 'open-recent', path: '/g/R&D.weft.json' }]);
    click(recent[3]);
    expect(ctx.clearRecent).toHaveBeenCalledOnce();
  });

  it('shows an empty recent list as a disabled line', () => {
    const recent = submenu(item(top(buildMenuTemplate(context()), 'File'), 'Open Recent'));
    expect(recent[0]).toMatchObject({ label: 'No Recent Files', enabled: false });
    expect(recent.at(-1)).toMatchObject({ label: 'Clear Recent', enabled: false });
  });

  it('offers developer tools only in development builds', () => {
    const roles = (packaged: boolean) => submenu(top(buildMenuTemplate(context({ isPackaged: packaged })), 'View')).map((i) => i.role);
    expect(roles(false)).toContain('toggleDevTools');
    expect(roles(true)).not.toContain('toggleDevTools');
  });

  it('has the macOS app menu on macOS, with Quit there rather than in File', () => {
    const t = buildMenuTemplate(context({ platform: 'darwin' }));
    expect(t[0]!.label).toBe('Weft');
    expect(submenu(t[0]).map((i) => i.role).filter(Boolean)).toEqual(['services', 'hide', 'hideOthers', 'unhide', 'quit']);
    expect(submenu(top(t, 'File')).some((i) => i.role === 'quit')).toBe(false);
    expect(item(top(t, 'Edit'), 'Redo')!.accelerator).toBe('CmdOrCtrl+Shift+Z');
    // macOS cannot show an accelerator without registering it, so bare letters are left off.
    expect(item(top(t, 'View'), 'Fit View')!.accelerator).toBeUndefined();
    expect(top(buildMenuTemplate(context()), 'Weft')).toBeUndefined();
  });

  it('installs the built template as the application menu', () => {
    installMenu(context());
    expect(electron.buildFromTemplate).toHaveBeenCalledOnce();
    expect(electron.setApplicationMenu).toHaveBeenCalledWith({ template: electron.buildFromTemplate.mock.calls[0]![0] });
  });

  it('describes the version in the About box', () => {
    expect(aboutDetail('1.2.3', { electron: '45.5.0', node: '22.1.0' })).toBe('Version 1.2.3\nElectron 45.5.0\nNode 22.1.0');
  });
});
