/**
 * Argument schemas of the shell requests, checked by the host on arrival. Kept apart from shell.ts,
 * which must stay dependency-free for the sandboxed preload.
 */
import { z } from 'zod';
import { NATIVE_EDIT_ACTIONS, type ShellMethod } from './shell.ts';

// A NUL byte truncates paths in native APIs, so a path with one could name a different file.
const path = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'must not contain a NUL byte');
const extension = z.string().regex(/^[A-Za-z0-9]{1,16}$/, 'must be 1 to 16 letters or digits, without the dot');
const title = z.string().max(200);

export const shellArgSchemas = {
  chooseGraphToOpen: z.tuple([]),
  chooseGraphSavePath: z.tuple([title]),
  pickPath: z.tuple([
    z.strictObject({
      kind: z.enum(['file', 'folder']),
      title: title.optional(),
      extensions: z.array(extension).max(32).optional(),
      defaultPath: path.optional(),
    }),
  ]),
  revealPath: z.tuple([path]),
  listRecentFiles: z.tuple([]),
  addRecentFile: z.tuple([path]),
  removeRecentFile: z.tuple([path]),
  setDocumentState: z.tuple([z.strictObject({ path: path.nullable(), dirty: z.boolean(), title })]),
  nativeEdit: z.tuple([z.enum(NATIVE_EDIT_ACTIONS as [string, ...string[]])]),
} satisfies Record<ShellMethod, z.ZodType<unknown[]>>;

/** Parameter names, so that a refusal names the argument ("suggestedName", not "0"). */
export const shellArgNames: Record<ShellMethod, readonly string[]> = {
  chooseGraphToOpen: [],
  chooseGraphSavePath: ['suggestedName'],
  pickPath: ['options'],
  revealPath: ['path'],
  listRecentFiles: [],
  addRecentFile: ['path'],
  removeRecentFile: ['path'],
  setDocumentState: ['state'],
  nativeEdit: ['action'],
};
