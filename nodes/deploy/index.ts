import { defineNode, nodeSpec } from '../sdk/index.ts';
import { modelOf, needsDecoder } from '../lib/model-checks.ts';

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

export const spec = nodeSpec({
  type: 'deploy',
  version: 1,
  category: 'Inference',
  label: 'Deploy endpoint',
  description:
    'Serves a model as a local OpenAI-compatible HTTP endpoint (/v1/models, /v1/completions, /v1/chat/completions, streaming) behind a key. It keeps running after the run ends, until stopped in Endpoints or with `weft endpoints stop`. Connect a model, or name a .gguf file (served by llama.cpp).',
  inputs: { model: { type: 'Model', optional: true, description: 'A model to serve (Weft generation, any family).' } },
  outputs: { endpoint: { type: 'Endpoint' } },
  params: {
    gguf: { kind: 'file', default: '', extensions: ['.gguf'], label: 'GGUF file', help: 'A .gguf file to serve instead of a connected model.' },
    name: { kind: 'string', default: '', maxLength: 64, pattern: '[A-Za-z0-9._:/-]*', label: 'Model name', help: "The name clients send as `model`; when empty, this node's id (for a .gguf, the file's name). Deploying under the same name again reuses its endpoint, or replaces it when the model or settings changed." },
    port: { kind: 'integer', default: 0, min: 0, max: 65535, help: '0 picks a free port.' },
    host: { kind: 'string', default: '127.0.0.1', maxLength: 255, help: 'Where to listen. 127.0.0.1 serves this machine only; anything else also needs "Allow network".' },
    allowNetwork: { kind: 'boolean', default: false, label: 'Allow network', help: 'Listen on an address other machines can reach (with the key still required).' },
    queueLimit: { kind: 'integer', default: 8, min: 0, max: 1000, label: 'Queue limit', help: 'Requests that may wait while one generates; more are refused with HTTP 429.' },
    maxTokens: { kind: 'integer', default: 2048, min: 1, max: 131072, label: 'Max tokens limit', help: 'The largest max_tokens a request may ask for.' },
    ggufBackend: { kind: 'enum', options: ['llama.cpp', 'weft'], default: 'llama.cpp', label: 'GGUF backend', help: 'What generates from a .gguf: llama.cpp (node-llama-cpp, CPU).', when: { param: 'gguf', not: [''] } },
  },
  uncached: true,
  validate(p, connected) {
    const problems = [];
    const hasModel = connected.includes('model');
    if (hasModel && p.gguf) problems.push({ param: 'gguf', message: 'connect a model or name a .gguf file, not both' });
    if (!hasModel && !p.gguf) problems.push({ port: 'model', message: 'connect a model, or name a .gguf file to serve' });
    if (!LOOPBACK.includes(p.host.trim()) && !p.allowNetwork) problems.push({ param: 'host', message: `"${p.host}" is not this machine only (127.0.0.1): turn on "Allow network" to serve other machines` });
    if (p.gguf && p.ggufBackend === 'weft') problems.push({ param: 'ggufBackend', message: 'a lone .gguf file is served by llama.cpp; to serve GGUF weights through Weft, connect the model folder (from Quantize or Export) instead' });
    return problems;
  },
  // An endpoint completes text: it needs a decoder.
  validateWithInputs: (_p, inputs) => needsDecoder(modelOf(inputs), 'Serving completions'),
});

export default defineNode(spec, () => import('./run.ts'));
