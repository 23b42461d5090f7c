import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useEditor } from '../context.ts';
import { desktopShell } from '../shell/desktop-shell.ts';
import { FilePicker, type PickRequest } from './FilePicker.tsx';

/**
 * Picks a file or folder for a node param: the native dialog in the desktop app (which lets
 * graphs read what it returns), Weft's own picker in the browser (then the host is told the user
 * picked it). Resolves to null when the user cancels.
 */
export function usePathPicker(): { pick(request: PickRequest): Promise<string | null>; cancel(): void; picker: ReactNode } {
  const { api } = useEditor();
  const shell = useMemo(desktopShell, []);
  const [pending, setPending] = useState<{ request: PickRequest; resolve(path: string | null): void } | null>(null);

  const pick = useCallback(
    async (request: PickRequest) => {
      if (shell) {
        const extensions = request.extensions?.map((x) => x.replace(/^\./, '')).filter((x) => /^[A-Za-z0-9]{1,16}$/.test(x));
        return shell.pickPath({ kind: request.kind, title: request.title, ...(extensions?.length ? { extensions } : {}), ...(request.near ? { defaultPath: request.near } : {}) });
      }
      const path = await new Promise<string | null>((resolve) => setPending({ request, resolve }));
      if (path) await api.allowPath(path);
      return path;
    },
    [api, shell],
  );

  const close = (path: string | null) => {
    pending?.resolve(path);
    setPending(null);
  };
  // A picker left open when its owner goes away answers "cancelled", so no caller waits forever.
  const pendingRef = useRef(pending);
  pendingRef.current = pending;
  useEffect(() => () => pendingRef.current?.resolve(null), []);
  const cancel = useCallback(() => {
    pendingRef.current?.resolve(null);
    setPending(null);
  }, []);
  const picker = pending ? <FilePicker request={pending.request} onPick={close} onClose={() => close(null)} /> : null;
  return { pick, cancel, picker };
}
