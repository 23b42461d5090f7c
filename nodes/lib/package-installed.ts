import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Whether a package (or a file inside one) is installed where this module can load it, without loading it. */
export function packageInstalled(id: string): boolean {
  try {
    require.resolve(id);
    return true;
  } catch {
    return false;
  }
}
