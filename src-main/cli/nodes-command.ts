/** `weft nodes`: the node catalogue, from the registry's light specs alone (no host, no engine). */
import { nodeRegistry } from '../../nodes/index.ts';
import { describeCondition, toNodeSpec } from '../../nodes/sdk/index.ts';

const out = (s: string) => process.stdout.write(s + '\n');

export async function nodesCommand(opts: { json?: boolean }): Promise<number> {
  const specs = nodeRegistry.map((d) => d);
  if (opts.json) {
    out(JSON.stringify(specs.map(toNodeSpec), null, 2));
    return 0;
  }
  for (const def of specs) {
    out(`${def.type}  (${def.category}${def.heavy ? ', heavy' : ''}) ${def.label}`);
    out(`  ${def.description}`);
    const ports = (ps: Record<string, { type: string; optional?: boolean }>) =>
      Object.entries(ps).map(([k, p]) => `${k}: ${p.type}${p.optional ? '?' : ''}`).join(', ') || '—';
    out(`  inputs:  ${ports(def.inputs)}`);
    out(`  outputs: ${ports(def.outputs)}`);
    for (const [name, spec] of Object.entries(def.params)) {
      const range = 'min' in spec || 'max' in spec ? ` [${(spec as { min?: number }).min ?? ''}..${(spec as { max?: number }).max ?? ''}]` : '';
      const options = spec.kind === 'enum' ? ` {${spec.options.join('|')}}` : '';
      const dflt = spec.default !== undefined ? ` = ${JSON.stringify(spec.default)}` : spec.required ? ' (required)' : '';
      const when = spec.when ? `  (used only when ${describeCondition(spec.when, def.params)})` : '';
      out(`  --set <id>.${name}  ${spec.kind}${range}${options}${dflt}${spec.help ? `  ${spec.help}` : ''}${when}`);
    }
    out('');
  }
  return 0;
}
