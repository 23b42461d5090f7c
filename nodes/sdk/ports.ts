import type { PortValues } from './port-values.ts';

/**
 * Port types: what flows along an edge. Values are small JSON handles; anything big
 * (a dataset, a model) lives on disk in the producing node's artifact folder and the
 * handle names it, so values can cross process boundaries and be cached.
 */
export const PORT_TYPES = {
  Text: { color: '#8fb3ff', description: 'A UTF-8 text file.' },
  Dataset: { color: '#5ec27a', description: 'Records (text, prompt/response, label) with train/validation/test splits.' },
  Tokenizer: { color: '#e0a84f', description: 'A tokenizer saved as tokenizer.json.' },
  Model: { color: '#d66b6b', description: 'A model folder: config.json, model.safetensors, tokenizer.json.' },
  Optimizer: { color: '#b57be0', description: 'Optimizer settings (AdamW, Adam, SGD) and gradient clipping.' },
  Scheduler: { color: '#7bd0e0', description: 'A learning-rate schedule.' },
  Preferences: { color: '#e07bb5', description: 'Preference pairs (prompt, chosen, rejected).' },
  Metrics: { color: '#c9c9c9', description: 'Named numbers and tables measured by a node.' },
  Endpoint: { color: '#f2e35c', description: 'A running local inference endpoint.' },
} as const satisfies { [T in keyof PortValues]: { color: string; description: string } };

export type PortType = keyof typeof PORT_TYPES;

export const PORT_TYPE_NAMES = Object.keys(PORT_TYPES) as PortType[];

export function isPortType(value: string): value is PortType {
  return Object.prototype.hasOwnProperty.call(PORT_TYPES, value);
}

/** Port compatibility is exact: a Dataset never silently becomes Text. */
export function portsCompatible(from: PortType, to: PortType): boolean {
  return from === to;
}
