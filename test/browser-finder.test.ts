import { describe, expect, it } from 'vitest';
import { findBrowser } from './e2e/browser.ts';

describe('the browser the browser tests use', () => {
  it('takes WEFT_CHROMIUM first, and says so when it names nothing', async () => {
    expect(await findBrowser({ WEFT_CHROMIUM: process.execPath }, 'linux')).toMatchObject({ executablePath: process.execPath, source: 'WEFT_CHROMIUM' });
    await expect(findBrowser({ WEFT_CHROMIUM: '/nowhere/chrome' }, 'linux')).rejects.toThrow('WEFT_CHROMIUM=/nowhere/chrome does not exist');
  });

  it('on macOS and Windows without Chrome or Edge, says in one line what to install', async () => {
    await expect(findBrowser({ WEFT_CHROMIUM_SKIP_SYSTEM: '1' }, 'darwin')).rejects.toThrow(/^No Chrome for the browser tests: install Google Chrome/);
    await expect(findBrowser({ WEFT_CHROMIUM_SKIP_SYSTEM: '1' }, 'win32')).rejects.toThrow(/^No Chrome or Edge for the browser tests/);
  });
});
