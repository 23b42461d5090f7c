import { defineNode, nodeSpec, type NodeProblem } from '../sdk/index.ts';
import { modelOf, needsDecoder, passModel } from '../lib/model-checks.ts';

/** A file name Weft writes into the artifact and destination folders: no separators, no leading dot. */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export const spec = nodeSpec({
  type: 'export',
  version: 1,
  category: 'Model',
  label: 'Export model',
  description:
    'Writes a model for other tools: one GGUF file (F32, F16, Q8_0, Q4_0 or Q4_K) with the tokenizer and chat template embedded and an Ollama Modelfile beside it, for llama.cpp, Ollama and LM Studio; a Hugging Face folder for transformers; or that folder as a .zip. Optionally copies the result into a destination folder.',
  heavy: true,
  inputs: { model: { type: 'Model' } },
  outputs: { model: { type: 'Model' }, metrics: { type: 'Metrics' } },
  params: {
    format: { kind: 'enum', options: ['gguf', 'hf-folder', 'zip'], default: 'gguf', help: 'gguf: llama.cpp / Ollama / LM Studio. hf-folder: transformers (config.json, model.safetensors, tokenizer files). zip: the Hugging Face folder as one .zip.' },
    ggufType: {
      kind: 'enum',
      options: ['F32', 'F16', 'Q8_0', 'Q4_0', 'Q4_K'],
      default: 'F16',
      label: 'GGUF type',
      help: 'Weights in the GGUF file. F32: exact. F16: half the size, same greedy output on small models. Q8_0: 8-bit blocks, about 3.8x smaller than F32. Q4_0: 4-bit blocks, about 7x smaller (the output matrix stays Q8_0). Q4_K: 4-bit super-blocks of 256 with 6-bit scales and minimums, less loss than Q4_0 (output Q8_0; rows not a multiple of 256 fall back to Q5_0, as in llama.cpp). Norms and biases stay F32, as llama.cpp writes them.',
      when: { param: 'format', is: ['gguf'] },
    },
    name: { kind: 'string', default: 'model', maxLength: 100, help: 'File name (without extension) of the .gguf / .zip, and of the Ollama model in the commands logged.' },
    destination: { kind: 'folder', default: '', help: 'Optional: an existing folder to copy the export into (as <name>/ or <name>.zip). Must be inside the workspace, the graph\'s folder or a folder you picked with Browse…' },
  },
  validate(p) {
    const problems: NodeProblem[] = [];
    if (!SAFE_NAME.test(p.name)) problems.push({ param: 'name', message: `"${p.name}" is not a usable file name: use letters, digits, ".", "_" and "-", starting with a letter or digit` });
    return problems;
  },
  outputFacts: (_p, inputs) => passModel(inputs),
  // GGUF files are for llama.cpp's text generation: decoders. A Hugging Face folder or zip takes any model.
  validateWithInputs: (p, inputs) => (p.format === 'gguf' ? needsDecoder(modelOf(inputs), 'GGUF export') : []),
});

export default defineNode(spec, () => import('./run.ts'));
