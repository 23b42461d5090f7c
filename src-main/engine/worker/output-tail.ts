/** What both Node's child_process and Electron's utilityProcess pipes offer. */
interface Pipe {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  resume(): unknown;
}

/**
 * Keeps the last few kB a worker wrote to stderr (to explain a crash) and drains its stdout (so
 * a chatty node can never block on a full pipe).
 */
export function watchWorkerOutput(stdout: Pipe | null | undefined, stderr: Pipe | null | undefined, maxChars = 4000): () => string {
  let tail = '';
  stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-maxChars);
  });
  stdout?.resume();
  return () => tail;
}
