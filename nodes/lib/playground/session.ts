/**
 * A playground session in a worker: keeps the last model it loaded and streams generated text.
 * Text is decoded from all tokens so far and only whole characters are sent, since a byte-level
 * token can end in the middle of a UTF-8 sequence.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatMessage, GenerationEndReason, GenerationStats, SamplingSettings } from '../../sdk/playground.ts';
import { chatVariables, readChatFormat, DEFAULT_CHAT_TEMPLATE, type ChatFormat } from '../chat-template.ts';
import { generateUntil, promptWindow } from '../gpt/generate.ts';
import { openModelInput, type OpenedModel } from '../model-input.ts';
import { EOS } from '../tokenizer.ts';
import { TextStream } from './text-stream.ts';

export interface SessionRequest {
  modelDir: string;
  mode: 'complete' | 'chat';
  prompt?: string;
  messages?: ChatMessage[];
  settings: SamplingSettings;
}

class StopText extends Error {}

function abortError(): Error {
  const e = new Error('cancelled');
  e.name = 'AbortError';
  return e;
}

export class PlaygroundSession {
  private loaded: { key: string; model: OpenedModel; chat: ChatFormat | null } | null = null;

  private async open(dir: string) {
    // A retrained model in the same folder has new weights: the file's mtime is part of the key.
    const key = `${dir}@${statSync(join(dir, 'model.safetensors')).mtimeMs}`;
    if (this.loaded?.key === key) return this.loaded;
    this.dispose();
    const model = await openModelInput({ kind: 'model', dir });
    try {
      this.loaded = { key, model, chat: readChatFormat(dir) };
    } catch (e) {
      model.dispose();
      throw e;
    }
    return this.loaded;
  }

  /** The exact text the model sees: the prompt, or the conversation rendered with the model's chat template. */
  static async renderPrompt(req: Pick<SessionRequest, 'mode' | 'prompt' | 'messages'>, chat: ChatFormat | null): Promise<string> {
    if (req.mode === 'complete') return req.prompt ?? '';
    const { Template } = await import('@huggingface/jinja');
    const messages = [...(req.messages ?? [])];
    if (chat?.system && !messages.some((m) => m.role === 'system')) messages.unshift({ role: 'system', content: chat.system });
    try {
      return new Template(chat?.template ?? DEFAULT_CHAT_TEMPLATE).render(chatVariables(messages, chat?.endOfText ?? EOS));
    } catch (e) {
      throw new Error(`the model's chat template failed on this conversation: ${(e as Error).message}`);
    }
  }

  async generate(req: SessionRequest, onText: (delta: string) => void, signal: AbortSignal): Promise<GenerationStats> {
    const started = performance.now();
    const { model, chat } = await this.open(req.modelDir);
    const { config, params, tok, backend } = model;
    if (!config.causal) throw new Error('this model is an encoder (masked LM); only decoder models generate text');
    if (config.numClasses) throw new Error('this model is a classifier; it predicts labels, it does not generate text');
    const s = req.settings;
    const promptText = await PlaygroundSession.renderPrompt(req, chat);
    const promptIds = await tok.encode(promptText);
    // The playground slides its window, so an answer may run past the context without dropping the prompt.
    const kept = promptWindow(config, promptIds, s.maxTokens, true).length;
    const eosText = chat?.endOfText || EOS;
    const stopTokens = [tok.specials[eosText], tok.specials[EOS]].filter((id): id is number => id !== undefined);
    const stopStrings = [...(s.stop ?? []).filter(Boolean), ...(req.mode === 'chat' && eosText ? [eosText] : [])];
    const stream = new TextStream((ids) => tok.decode(ids), stopStrings);
    let tokens = 0;
    let firstTokenMs = 0;
    let end: GenerationEndReason;
    try {
      const r = await generateUntil(params, config, promptIds, { maxTokens: s.maxTokens, temperature: s.temperature, topK: s.topK, topP: s.topP, seed: s.seed, stopTokens, slide: true }, async (id) => {
        if (signal.aborted) throw abortError();
        if (!tokens++) firstTokenMs = performance.now() - started;
        const { delta, stopped } = await stream.push(id);
        if (delta) onText(delta);
        if (stopped) throw new StopText();
      });
      end = r.end;
    } catch (e) {
      if (e instanceof StopText) end = 'stop';
      else if ((e as Error).name === 'AbortError') end = 'cancelled';
      else throw e;
    }
    // Text held back for a possible stop string (or a partial character) is shown at the end, however it ended.
    const rest = await stream.finish();
    if (rest) onText(rest);
    const seconds = (performance.now() - started - firstTokenMs) / 1000;
    return {
      reason: end,
      promptTokens: promptIds.length,
      promptTokensDropped: promptIds.length - kept,
      tokens,
      tokensPerSecond: tokens > 1 && seconds > 0 ? (tokens - 1) / seconds : 0,
      firstTokenMs: Math.round(firstTokenMs),
      backend,
      promptText: promptText.slice(-4000),
    };
  }

  dispose(): void {
    this.loaded?.model.dispose();
    this.loaded = null;
  }
}
