import { defineNode, nodeSpec } from '../sdk/index.ts';
import { modelOf, needsDecoder } from '../lib/model-checks.ts';

export const spec = nodeSpec({
  type: 'generate',
  version: 1,
  category: 'Inference',
  label: 'Generate text',
  description: 'Samples continuations of a prompt with temperature, top-k and top-p, using a key/value cache.',
  inputs: { model: { type: 'Model' } },
  outputs: { text: { type: 'Text' } },
  params: {
    prompt: { kind: 'text', default: 'Call me', maxLength: 20_000 },
    maxTokens: { kind: 'integer', default: 100, min: 1, max: 8192 },
    temperature: { kind: 'number', default: 0.8, min: 0, max: 5, help: '0 picks the most likely token every time.' },
    topK: { kind: 'integer', default: 40, min: 0, max: 100_000, help: '0 turns top-k off.' },
    topP: { kind: 'number', default: 0.95, min: 0, max: 1, help: '1 turns nucleus sampling off.' },
    samples: { kind: 'integer', default: 3, min: 1, max: 100 },
  },
  validateWithInputs: (_p, inputs) => needsDecoder(modelOf(inputs), 'Text generation'),
});

export default defineNode(spec, () => import('./run.ts'));

