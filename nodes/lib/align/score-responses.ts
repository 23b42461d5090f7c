/**
 * Scoring responses with a reward model folder, as another trainer (RL) needs it: each prompt (text
 * or messages) with its response rendered as the policy sees them, tokenized, cut to the context,
 * and scored at its last non-pad token (reward.ts).
 */
import type { ChatTurn } from '../../sdk/index.ts';
import type { OpenedModel } from '../model-input.ts';
import { chatFormatOf, joinWithin, renderResponse } from './pair-encoding.ts';
import { rewardPadId, rewardsOf } from './reward.ts';

export async function scoreResponses(
  model: Pick<OpenedModel, 'params' | 'config' | 'tok' | 'dir'>,
  items: ReadonlyArray<{ prompt: string | ChatTurn[]; response: string }>,
  options: { context?: number; batchSize?: number } = {},
): Promise<Float32Array> {
  const chat = chatFormatOf(model.dir, model.tok);
  const rendered = items.map((x) => renderResponse(x.prompt, x.response, chat));
  const ids = await model.tok.encodeTexts(rendered.flatMap((r) => [r.prompt, r.response]), rendered.flatMap(() => [true, false]));
  const context = Math.min(options.context ?? model.config.contextLength, model.config.contextLength);
  const seqs = rendered.map((_, i) => joinWithin(ids[2 * i]!, ids[2 * i + 1]!, context).seq.ids);
  return rewardsOf(model.params, model.config, seqs, rewardPadId(model.config, model.tok), options.batchSize);
}
