/**
 * The `weft` command. Everything goes through the same engine API the app and the web server use.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { RunNotFoundError } from './store/run-store.ts';
import { RunStateError } from './engine/run-state-error.ts';
import { registerDeployCommands } from './cli/deploy-command.ts';

// Each command loads what it needs when it runs: `weft nodes` never loads the engine.
const commands = () => import('./cli/commands.ts');

function seedOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) throw new InvalidArgumentError('the seed must be a whole number from 0 to 4294967295');
  return n;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const program = new Command()
  .name('weft')
  .description('Build, run and replay language-model training pipelines.')
  .option('-w, --workspace <dir>', 'workspace folder for runs, cache and checkpoints (default: $WEFT_WORKSPACE or ~/Weft)')
  .showHelpAfterError()
  .exitOverride();

let exitCode = 0;
const global = () => program.opts<{ workspace?: string }>();

program
  .command('run <graph>')
  .description('run a graph with live progress; unchanged nodes come from the cache')
  .option('-s, --set <node.param=value>', 'override a param (repeatable)', collect, [])
  .option('--seed <n>', 'override the graph seed', seedOption)
  .option('--no-cache', 're-execute every node even when a cached result exists')
  .action(async (graph: string, opts: { set: string[]; seed?: number; cache: boolean }) => {
    exitCode = await (await commands()).runCommand(graph, { ...global(), ...opts });
  });

program
  .command('validate <graph>')
  .description('check a graph and print every problem with its place')
  .option('--json', 'print the errors as JSON')
  .action(async (graph: string, opts: { json?: boolean }) => {
    exitCode = await (await commands()).validateCommand(graph, { ...global(), ...opts });
  });

program
  .command('nodes')
  .description('list node types with their ports and params')
  .option('--json', 'print the node catalogue as JSON')
  .action(async (opts: { json?: boolean }) => {
    exitCode = await (await import('./cli/nodes-command.ts')).nodesCommand({ ...global(), ...opts });
  });

program
  .command('doctor')
  .description('list what this machine offers for training (GPUs through WebGPU, TensorFlow and CUDA, wasm) and what to install for more')
  .option('--json', 'print the report as JSON')
  .addOption(new Option('--hardware-probe <loader>').hideHelp())
  .action(async (opts: { json?: boolean; hardwareProbe?: string }) => {
    exitCode = await (await import('./cli/doctor.ts')).doctorCommand({ json: opts.json, probe: opts.hardwareProbe });
  });

program
  .command('runs')
  .description('list past runs, newest first')
  .option('--json', 'print as JSON')
  .action(async (opts: { json?: boolean }) => {
    exitCode = await (await commands()).runsCommand({ ...global(), ...opts });
  });

program
  .command('show <runId>')
  .description('show a run node by node: state, timings, metrics, errors, artifacts')
  .option('--json', 'print the whole run record')
  .action(async (runId: string, opts: { json?: boolean }) => {
    exitCode = await (await commands()).showCommand(runId, { ...global(), ...opts });
  });

program
  .command('replay <runId>')
  .description("run a past run again from its recorded graph and seed, and compare its metrics")
  .action(async (runId: string) => {
    exitCode = await (await commands()).replayCommand(runId, global());
  });

program
  .command('resume <runId>')
  .description('continue an interrupted, cancelled or failed run; finished nodes are reused')
  .action(async (runId: string) => {
    exitCode = await (await commands()).resumeCommand(runId, global());
  });

program
  .command('serve [graph]')
  .description('open the editor in your browser (served on 127.0.0.1 with a per-launch key)')
  .option('-p, --port <n>', 'port to listen on (default: a free one)', (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('the port must be a whole number from 0 to 65535');
    return n;
  })
  .action(async (graph: string | undefined, opts: { port?: number }) => {
    // Loaded only here: the web server (ws, http) is not needed to start any other command.
    const { serveCommand } = await import('./server/serve-command.ts');
    exitCode = await serveCommand(graph, { ...global(), ...opts });
  });

registerDeployCommands(program, global, (code) => (exitCode = code));

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const code = (e as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') exitCode = 0;
  else if (code?.startsWith('commander.')) exitCode = 2;
  else if (e instanceof RunNotFoundError || e instanceof RunStateError) {
    process.stderr.write(`weft: ${e.message}\n`);
    exitCode = 1;
  } else {
    process.stderr.write(`weft: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    exitCode = 1;
  }
}
process.exit(exitCode);
