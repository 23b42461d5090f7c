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
    prompt: { kind: 'text', default: 'Call me', maxLength: 20_000, help: 'The text the model continues.' },
    maxTokens: { kind: 'integer', default: 100, min: 1, max: 8192, label: 'Max new tokens', help: 'Longest continuation, in tokens (pieces of words).' },
    temperature: { kind: 'number', default: 0.8, min: 0, max: 5, help: 'How adventurous the sampling is: 0 always picks the most likely next token (the same text every time), 1 samples as the model predicts, higher is wilder.' },
    topK: { kind: 'integer', default: 40, min: 0, max: 100_000, label: 'Top-k', help: 'Sample only among the k most likely next tokens; 0 turns this off.', when: { param: 'temperature', not: [0] } },
    topP: { kind: 'number', default: 0.95, min: 0, max: 1, label: 'Top-p', help: 'Sample only among the most likely next tokens that together make up this share of the probability (nucleus sampling); 1 turns this off.', when: { param: 'temperature', not: [0] } },
    samples: { kind: 'integer', default: 3, min: 1, max: 100, help: 'How many continuations to write.' },
  },
  validateWithInputs: (_p, inputs) => needsDecoder(modelOf(inputs), 'Text generation'),
});

export default defineNode(spec, () => import('./run.ts'));

