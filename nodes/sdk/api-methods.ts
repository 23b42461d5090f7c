/**
 * The API's request methods by name, free of any dependency, so the sandboxed preload (which can
 * require nothing but electron) can bind exactly these. api.ts checks its schemas cover the same set.
 */
export const API_METHODS = [
  'listNodeTypes',
  'validateGraph',
  'startRun',
  'cancelRun',
  'pauseRun',
  'resumeRun',
  'replayRun',
  'listRuns',
  'getRun',
  'getRunEvents',
  'previewArtifacts',
  'openGraph',
  'saveGraph',
  'listTemplates',
  'listModels',
  'startGeneration',
  'stopGeneration',
  'listFolder',
  'allowPath',
  'listArtifactFiles',
] as const;

export type ApiMethod = (typeof API_METHODS)[number];
