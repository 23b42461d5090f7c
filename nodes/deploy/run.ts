import { deployEndpoint } from '../lib/endpoint/lifecycle.ts';
import type { RunOf } from '../sdk/index.ts';
import type { spec } from './index.ts';

const run: RunOf<typeof spec> = async (inputs, p, ctx) => {
  const modelPath = inputs.model?.dir ?? p.gguf;
  if (!modelPath) throw new Error('nothing to serve: connect a model or name a .gguf file');
  const host = p.host.trim();
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) ctx.log.warn(`listening on ${host}: other machines can reach this endpoint (the key is still required); keep the key private`);
  await ctx.progress({ step: 0, total: 1 });
  const { info, reused } = await deployEndpoint({
    workspace: ctx.workspace,
    modelPath,
    // A model from a run lives in a cache folder named after the run, which changes when it retrains:
    // without a name, the node's id names the endpoint, so re-running it replaces its own endpoint.
    name: p.name.trim() || (inputs.model ? ctx.nodeId : ''),
    host,
    port: p.port,
    queueLimit: p.queueLimit,
    maxTokens: p.maxTokens,
    ggufBackend: p.ggufBackend as 'llama.cpp' | 'weft',
    signal: ctx.signal,
    log: (line) => ctx.log.info(line),
  });
  ctx.log.info(`${reused ? 'endpoint still serving' : 'endpoint serving'} ${info.name} at ${info.url} (${info.backend}); it keeps running after this run: stop it in Endpoints or with \`weft endpoints stop ${info.id}\``);
  // The key stays out of logs and run records: the editor shows it once, and it is in its file.
  ctx.log.info(`try it: curl ${info.url}/chat/completions -H "Authorization: Bearer $(cat ${info.keyFile})" -H "Content-Type: application/json" -d '{"model": ${JSON.stringify(info.name)}, "messages": [{"role": "user", "content": "Hello"}]}'`);
  await ctx.progress({ step: 1, total: 1 });
  return { outputs: { endpoint: { kind: 'endpoint', url: info.url, model: info.name, id: info.id } } };
};

export default run;
