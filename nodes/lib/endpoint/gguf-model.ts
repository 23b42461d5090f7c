/**
 * A .gguf file served through llama.cpp (node-llama-cpp's prebuilt CPU binary: nothing is built or
 * downloaded). The chat template is the file's own (`tokenizer.chat_template`), rendered with the
 * same jinja engine as Weft's models; stop strings are llama.cpp's stop triggers, which hold text
 * back until it cannot be part of one.
 */
import { statSync } from 'node:fs';
import { DEFAULT_CHAT_TEMPLATE } from '../chat-template.ts';
import { ApiError } from './api-error.ts';
import type { ChatTurn, ServedModel, TextRequest, TextResult } from './served-model.ts';

type Llama = Awaited<ReturnType<typeof import('node-llama-cpp')['getLlama']>>;
type LlamaModel = Awaited<ReturnType<Llama['loadModel']>>;
type LlamaContext = Awaited<ReturnType<LlamaModel['createContext']>>;

/**
 * Below this size a model's matrices are too small to share among threads: llama.cpp's threads then
 * spend their time waiting on each other (measured on the tiny test file on a busy 2-core machine:
 * 2 threads 2 s per request, 1 thread 25 ms). Larger models use llama.cpp's own choice.
 */
const SMALL_MODEL_BYTES = 64 * 1024 * 1024;

export class GgufServedModel implements ServedModel {
  readonly backend = 'llama.cpp' as const;

  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly lib: typeof import('node-llama-cpp'),
  ) {}

  static async open(path: string, contextSize?: number): Promise<GgufServedModel> {
    const lib = await import('node-llama-cpp');
    const llama = await lib.getLlama({ gpu: false, build: 'never' });
    const model = await llama.loadModel({ modelPath: path });
    try {
      const context = await model.createContext({ contextSize: contextSize ?? Math.min(model.trainContextSize, 4096), sequences: 1, ...(statSync(path).size < SMALL_MODEL_BYTES ? { threads: 1 } : {}) });
      return new GgufServedModel(model, context, lib);
    } catch (e) {
      await model.dispose();
      throw e;
    }
  }

  get contextLength(): number {
    return this.context.contextSize;
  }

  async renderChat(messages: ChatTurn[]): Promise<{ prompt: string; stop: string[] }> {
    const { Template } = await import('@huggingface/jinja');
    const meta = this.model.fileInfo.metadata as { tokenizer?: { chat_template?: string } };
    const tokens = this.model.tokens;
    const eos = tokens.eotString ?? tokens.eosString ?? '';
    let prompt: string;
    try {
      prompt = new Template(meta.tokenizer?.chat_template ?? DEFAULT_CHAT_TEMPLATE).render({ messages, add_generation_prompt: true, bos_token: tokens.bosString ?? '', eos_token: eos });
    } catch (e) {
      throw new ApiError(400, `the model's chat template failed on this conversation: ${(e as Error).message}`, 'invalid_request_error', 'messages');
    }
    return { prompt, stop: eos ? [eos] : [] };
  }

  async generate(r: TextRequest, onText: (delta: string) => void, signal: AbortSignal): Promise<TextResult> {
    // Special tokens in the text are tokens (a chat template's <|im_start|>), as llama.cpp's server
    // reads a prompt; node-llama-cpp would read a string as plain text. It prepends the model's BOS
    // itself, so a template that already starts with it does not get a second one.
    const bos = this.model.tokens.bos;
    const prependsBos = this.model.tokens.shouldPrependBosToken && bos !== null;
    let tokens = this.model.tokenize(r.prompt, true);
    if (prependsBos && tokens[0] === bos) tokens = tokens.slice(1);
    const promptTokens = tokens.length + (prependsBos ? 1 : 0);
    const room = this.context.contextSize - promptTokens;
    if (room < 1) throw new ApiError(400, `the prompt is ${promptTokens} tokens; this model reads at most ${this.context.contextSize}`, 'invalid_request_error', 'messages', 'context_length_exceeded');
    const sequence = this.context.getSequence();
    const completion = new this.lib.LlamaCompletion({ contextSequence: sequence });
    let completionTokens = 0;
    // The answer is what was streamed: llama.cpp's whole-response detokenisation can differ from its
    // chunks at a space, and a streamed and a non-streamed request must read the same.
    let text = '';
    try {
      const out = await completion.generateCompletionWithMeta(tokens, {
        maxTokens: Math.min(r.maxTokens, room),
        temperature: r.temperature,
        topP: r.topP,
        seed: r.seed >>> 0,
        customStopTriggers: r.stop,
        signal,
        stopOnAbortSignal: true,
        disableContextShift: true,
        onToken: (t) => (completionTokens += t.length),
        onTextChunk: (chunk) => {
          text += chunk;
          onText(chunk);
        },
      });
      const reason = out.metadata.stopReason;
      return { text, promptTokens, completionTokens, finish: reason === 'maxTokens' ? 'length' : 'stop' };
    } finally {
      completion.dispose({ disposeSequence: true });
    }
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}
