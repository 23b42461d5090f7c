import { DEFAULT_CHAT_TEMPLATE, defineNode, nodeSpec } from '../sdk/index.ts';
import { splitsOf } from '../lib/model-checks.ts';

export const spec = nodeSpec({
  type: 'data.chat',
  version: 1,
  // 2: the dataset carries its chat format, and prompts are rendered with eos_token/bos_token set.
  outputRevision: 2,
  category: 'Data',
  label: 'Chat format',
  description:
    'Turns prompt/response records, or conversations ("messages" lists, as Dataset from files reads chat, ShareGPT, Alpaca and prompt/completion files), into training text with a Jinja chat template. ' +
    'The rendered prompt stays in "prompt" and the answer (plus end-of-text) in "response", so fine-tuning learns from response tokens only; ' +
    'a multi-turn conversation is also split into "segments" rendered turn by turn, so fine-tuning learns from every assistant turn and from no user or system turn.',
  inputs: { dataset: { type: 'Dataset' } },
  outputs: { dataset: { type: 'Dataset' } },
  params: {
    template: { kind: 'text', default: DEFAULT_CHAT_TEMPLATE, maxLength: 20_000, help: 'A chat template is the pattern that lays a conversation out as one text, marking where each user and assistant turn starts and ends; a model must be trained and used with the same one. Written in Jinja over the messages, as Hugging Face models ship it.' },
    system: { kind: 'text', default: '', maxLength: 20_000, help: 'Optional system message before each prompt (conversations that have their own system turn keep theirs).' },
    endOfText: { kind: 'string', default: '<|endoftext|>', label: 'End of text', help: 'A marker appended to each response so the model learns where an answer stops.' },
  },
  // The splits pass through.
  outputFacts: (_p, inputs) => splitsOf(inputs.dataset),
});

export default defineNode(spec, () => import('./run.ts'));

