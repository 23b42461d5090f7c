import { COMMANDS, type CommandId } from '../../../nodes/sdk/commands.ts';

interface Binding {
  id: CommandId;
  key: string;
  mod: boolean;
  shift: boolean;
}

const BINDINGS: Binding[] = Object.entries(COMMANDS).flatMap(([id, c]) =>
  [...('keys' in c ? c.keys : []), ...('alsoKeys' in c ? c.alsoKeys : [])].map((spec) => {
    const parts = spec.split('+');
    return { id: id as CommandId, key: parts.at(-1)!.toLowerCase(), mod: parts.includes('Mod'), shift: parts.includes('Shift') };
  }),
);

/**
 * The command a key press means (Ctrl on Linux/Windows, Cmd on macOS), from the command registry.
 * A shortcut that names Shift wants it ('Mod+Shift+S' is Save as, 'Mod+S' Save); one that does not
 * also answers with Shift held when no other claims it ('?' is typed with Shift).
 */
export function commandForKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey'>): CommandId | null {
  const key = e.key.toLowerCase();
  const mod = e.ctrlKey || e.metaKey;
  const candidates = BINDINGS.filter((b) => b.key === key && b.mod === mod);
  const exact = candidates.find((b) => b.shift === e.shiftKey) ?? candidates.find((b) => !b.shift);
  return exact?.id ?? null;
}
