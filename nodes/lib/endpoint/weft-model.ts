/**
 * A Weft model folder served through Weft's own generation (any family, KV cache, seeded sampling)
 * and streamed with the playground's TextStream, so stop strings never leak into the output.
 */
import { readChatFormat, type ChatFormat } from '../chat-template.ts';
import { generateUntil } from '../gpt/generate.ts';
import { openModelInput, type OpenedModel } from '../model-input.ts';
import { PlaygroundSession } from '../playground/session.ts';
import { TextStream } from '../playground/text-stream.ts';
import { EOS } from '../tokenizer.ts';
import { ApiError, badRequest } from './api-error.ts';
import type { ChatTurn, ServedModel, TextRequest, TextResult } from './served-model.ts';

class StopReached extends Error {}

export class WeftServedModel implements ServedModel {
  readonly backend = 'weft' as const;

  private constructor(
    private readonly model: OpenedModel,
    private readonly chat: ChatFormat | null,
  ) {}

  /** Opens a model folder; refuses models that do not write text (encoders, classifiers). */
  static async open(dir: string): Promise<WeftServedModel> {
    const model = await openModelInput({ dir });
    try {
      if (!model.config.causal) throw new Error(`${dir} is an encoder (masked LM): it fills in masks rather than writing text, so it cannot serve completions`);
      if (model.config.numClasses) throw new Error(`${dir} is a classifier: it labels text rather than writing it, so it cannot serve completions`);
      return new WeftServedModel(model, readChatFormat(dir));
    } catch (e) {
      model.dispose();
      throw e;
    }
  }

  get contextLength(): number {
    return this.model.config.contextLength;
  }

  private get endOfText(): string {
    return this.chat?.endOfText || EOS;
  }

  async renderChat(messages: ChatTurn[]): Promise<{ prompt: string; stop: string[] }> {
    let prompt: string;
    try {
      prompt = await PlaygroundSession.renderPrompt({ mode: 'chat', messages }, this.chat);
    } catch (e) {
      throw badRequest((e as Error).message, 'messages');
    }
    return { prompt, stop: this.endOfText ? [this.endOfText] : [] };
  }

  async generate(r: TextRequest, onText: (delta: string) => void, signal: AbortSignal): Promise<TextResult> {
    const { config, params, tok } = this.model;
    // BOS first where the tokenizer adds one (Llama 2), unless the rendered chat already begins with it, as llama.cpp's server does.
    const promptIds = await tok.encodePrompt(r.prompt);
    // Room in the window for the answer: generation keeps the whole prompt (promptWindow), and the
    // context ending first is reported as length, as OpenAI does.
    const room = config.contextLength - 1 - promptIds.length;
    if (room < 1) {
      throw new ApiError(400, `the prompt is ${promptIds.length} tokens; this model reads at most ${config.contextLength} tokens, prompt and answer together`, 'invalid_request_error', 'messages', 'context_length_exceeded');
    }
    const stopTokens = [tok.specials[this.endOfText], tok.specials[EOS]].filter((id): id is number => id !== undefined);
    const stream = new TextStream((ids) => tok.decodeAfter(promptIds, ids), r.stop, (id) => tok.byteTokens.has(id));
    let completionTokens = 0;
    let finish: TextResult['finish'] = 'length';
    try {
      const out = await generateUntil(params, config, promptIds, { maxTokens: Math.min(r.maxTokens, room), temperature: r.temperature, topK: 0, topP: r.topP, seed: r.seed, stopTokens }, async (id) => {
        // The client went away: stop spending the one generation slot on it.
        if (signal.aborted) throw new StopReached();
        completionTokens++;
        const { delta, stopped } = await stream.push(id);
        if (delta) onText(delta);
        if (stopped) throw new StopReached();
      });
      // 'context': the window is full, which OpenAI also reports as length.
      finish = out.end === 'stop' ? 'stop' : 'length';
    } catch (e) {
      if (!(e instanceof StopReached)) throw e;
      finish = 'stop';
    }
    const rest = await stream.finish();
    if (rest) onText(rest);
    return { text: stream.text, promptTokens: promptIds.length, completionTokens, finish };
  }

  async dispose(): Promise<void> {
    this.model.dispose();
  }
}
