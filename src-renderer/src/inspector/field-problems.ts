import type { GraphError } from '../../../nodes/sdk/errors.ts';

/**
 * What the user typed into a field and was refused (not a number, out of range): the graph keeps its
 * last valid value, so validation cannot see it. These count as problems in the status bar and keep
 * Run from starting until the field is fixed or its typing discarded.
 */
export class FieldProblems {
  private problems = new Map<string, GraphError>();
  private snapshot: GraphError[] = [];
  private readonly listeners = new Set<() => void>();

  set(nodeId: string, param: string, message: string | null): void {
    const key = `${nodeId}\u0000${param}`;
    if (message === null ? !this.problems.has(key) : this.problems.get(key)?.message === message) return;
    if (message === null) this.problems.delete(key);
    else this.problems.set(key, { code: 'param_invalid', nodeId, param, message });
    this.snapshot = [...this.problems.values()];
    for (const l of this.listeners) l();
  }

  list = (): GraphError[] => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
