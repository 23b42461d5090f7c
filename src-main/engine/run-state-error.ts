/** A run asked to do what its state does not allow (resume a succeeded run, pause one not running here). */
export class RunStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunStateError';
  }
}
