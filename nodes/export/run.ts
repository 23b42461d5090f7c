import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parameterCount } from '../lib/gpt/config.ts';
import { saveModelFolder } from '../lib/sized-write.ts';
import { writeModelGguf } from '../lib/sized-write.ts';
import { writeCompanions } from '../lib/gguf/folder.ts';
import { modelfile } from '../lib/gguf/modelfile.ts';
import { openModelInput } from '../lib/model-input.ts';
import type { MetricsHandle, ModelHandle, RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';
import { zipFolder } from './zip.ts';

function copyFolder(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) if (statSync(join(from, name)).isFile()) copyFileSync(join(from, name), join(to, name));
}

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const model = await openModelInput(inputs.model);
  const { backend, config, params } = model;
  try {
    const handle: ModelHandle = { kind: 'model', dir: ctx.artifactDir, parameters: parameterCount(config), config };
    const values: Record<string, number> = { parameters: handle.parameters };
    let produced: { folder: string } | { file: string };
    if (p.format === 'gguf') {
      const file = `${p.name}.gguf`;
      const path = join(ctx.artifactDir, file);
      const written = await writeModelGguf(params, config, model.tokenizerPath, path, p.ggufType, {
        name: p.name,
        signal: ctx.signal,
        onTensor: (step, total) => ctx.progress({ step, total }),
      });
      // config.json and the tokenizer beside the file: Weft loads the folder back exactly (Generate, Evaluate, playground).
      writeCompanions(model.dir, ctx.artifactDir, config);
      const mf = modelfile(file, written.vocab.chatTemplate, written.vocab.eosToken);
      writeFileSync(join(ctx.artifactDir, 'Modelfile'), mf.text);
      if (written.vocab.chatTemplate && !mf.templated) ctx.log.warn('the chat template could not be translated to an Ollama TEMPLATE exactly; the Modelfile leaves TEMPLATE out and Ollama reads the template embedded in the GGUF file');
      Object.assign(values, { bytes: written.bytes, tensors: written.tensors, quantizedTensors: (written.typeCounts.Q8_0 ?? 0) + (written.typeCounts.Q4_0 ?? 0) + (written.typeCounts.Q5_0 ?? 0) + (written.typeCounts.Q4_K ?? 0) });
      for (const [t, n] of Object.entries(written.typeCounts)) values[`tensors${t}`] = n;
      handle.quantization = p.ggufType;
      ctx.log.info(`wrote ${path}: ${written.bytes} bytes, architecture ${written.architecture}, ${written.tensors} tensors (${Object.entries(written.typeCounts).map(([t, n]) => `${n} ${t}`).join(', ')})`);
      produced = { folder: ctx.artifactDir };
    } else {
      const folder = p.format === 'zip' ? join(ctx.artifactDir, p.name) : ctx.artifactDir;
      mkdirSync(folder, { recursive: true });
      await saveModelFolder(folder, params, config, model.tokenizerPath);
      await ctx.progress({ step: 1, total: p.format === 'zip' ? 2 : 1 });
      handle.dir = folder;
      values.bytes = statSync(join(folder, 'model.safetensors')).size;
      if (p.format === 'zip') {
        const zip = join(ctx.artifactDir, `${p.name}.zip`);
        values.bytes = await zipFolder(folder, p.name, zip, ctx.signal);
        await ctx.progress({ step: 2, total: 2 });
        ctx.log.info(`wrote ${zip}: ${values.bytes} bytes`);
        produced = { file: zip };
      } else {
        ctx.log.info(`wrote the Hugging Face folder ${folder} (transformers: AutoModelForCausalLM.from_pretrained("${folder}"))`);
        produced = { folder };
      }
    }
    let where = ctx.artifactDir;
    if (p.destination) {
      if ('file' in produced) {
        copyFileSync(produced.file, join(p.destination, `${p.name}.zip`));
        where = p.destination;
        ctx.log.info(`copied to ${join(p.destination, `${p.name}.zip`)}`);
      } else {
        where = join(p.destination, p.name);
        copyFolder(produced.folder, where);
        ctx.log.info(`copied to ${where}`);
      }
    }
    if (p.format === 'gguf') {
      const gguf = join(where, `${p.name}.gguf`);
      ctx.log.info(`run it with Ollama: ollama create ${p.name.toLowerCase()} -f ${join(where, 'Modelfile')} && ollama run ${p.name.toLowerCase()}`);
      ctx.log.info(`run it with llama.cpp: llama-cli -m ${gguf} -p "Hello" -n 64${config.eosTokenId !== undefined ? '' : ' --ignore-eos'} --jinja`);
    }
    const metrics: MetricsHandle = { kind: 'metrics', values };
    return { outputs: { model: handle, metrics }, metrics: values, backend };
  } finally {
    model.dispose();
  }
};

export default run;
