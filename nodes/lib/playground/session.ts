/**
 * A playground session in a worker: keeps the last model it loaded and streams generated text.
 * Text is decoded from all tokens so far and only whole characters are sent, since a byte-level
 * token can end in the middle of a UTF-8 sequence.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatMessage, GenerationEndReason, GenerationStats, PlaygroundMode, Prediction, SamplingSettings } from '../../sdk/playground.ts';
import type { PlaygroundGenerator, SessionRequest } from '../../sdk/playground-worker.ts';
import { chatVariables, readChatFormat, DEFAULT_CHAT_TEMPLATE, type ChatFormat } from '../chat-template.ts';
import { tf, useDevice } from '../backend.ts';
import { deviceUsed, setDeviceRequest } from '../device-state.ts';
import { encodeForClassifier } from '../classify-input.ts';
import { generateUntil, promptWindow } from '../gpt/generate.ts';
import { hiddenStates, lmLogits } from '../gpt/model.ts';
import { classProbabilities } from '../train/classifier-trainer.ts';
import { openModelInput, type OpenedModel } from '../model-input.ts';
import { weightsFileOf } from '../gguf/load.ts';
import { EOS } from '../tokenizer.ts';
import { TextStream } from './text-stream.ts';

export type { SessionRequest };

class StopText extends Error {}

function abortError(): Error {
  const e = new Error('cancelled');
  e.name = 'AbortError';
  return e;
}

export class PlaygroundSession implements PlaygroundGenerator {
  private loaded: { key: string; model: OpenedModel; chat: ChatFormat | null } | null = null;

  private async open(dir: string, device: SessionRequest['device'] = 'auto') {
    // A retrained model in the same folder has new weights: the file's mtime is part of the key. So is
    // the device: the weights live on one backend, and another device loads them again.
    const key = `${dir}@${statSync(weightsFileOf(dir)).mtimeMs}@${device}`;
    // The request picks the backend of the tensor work that follows (openModelInput, then generation).
    setDeviceRequest({ preference: device });
    await useDevice();
    if (this.loaded?.key === key) return this.loaded;
    this.dispose();
    const model = await openModelInput({ dir });
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
      return new Template(chat?.template ?? DEFAULT_CHAT_TEMPLATE).render(chatVariables(messages, chat?.endOfText ?? EOS, chat?.bosToken));
    } catch (e) {
      throw new Error(`the model's chat template failed on this conversation: ${(e as Error).message}`);
    }
  }

  async generate(req: SessionRequest, onText: (delta: string) => void, signal: AbortSignal): Promise<GenerationStats> {
    const started = performance.now();
    const { model, chat } = await this.open(req.modelDir, req.device);
    const { config, params, tok, backend } = model;
    const device = deviceUsed() ?? undefined;
    if (req.mode === 'classify' || req.mode === 'fill-mask') {
      const text = req.prompt ?? '';
      const { prediction, promptTokens, filled } = req.mode === 'classify' ? await classify(model, text) : await fillMask(model, text);
      if (filled) onText(filled);
      const ms = Math.round(performance.now() - started);
      return { reason: 'stop', promptTokens, promptTokensDropped: 0, tokens: 0, tokensPerSecond: 0, firstTokenMs: ms, backend, device, promptText: text.slice(-4000), prediction };
    }
    if (!config.causal) throw new Error('this model is an encoder (masked LM): it fills in <mask> tokens (Fill in mode) rather than writing on');
    if (config.numClasses) throw new Error('this model is a classifier: it labels text (Classify mode) rather than writing on');
    const s = req.settings;
    const promptText = await PlaygroundSession.renderPrompt(req, chat);
    // A completion prompt starts with BOS where the tokenizer adds one (Llama 2); a chat template writes its own.
    // BOS first where the tokenizer adds one, as chat fine-tuning trains (a template that writes it already has it).
    const promptIds = await tok.encodePrompt(promptText);
    // The playground slides its window, so an answer may run past the context without dropping the prompt.
    const kept = promptWindow(config, promptIds, s.maxTokens, true).length;
    const eosText = chat?.endOfText || EOS;
    const stopTokens = [tok.specials[eosText], tok.specials[EOS]].filter((id): id is number => id !== undefined);
    const stopStrings = [...(s.stop ?? []).filter(Boolean), ...(req.mode === 'chat' && eosText ? [eosText] : [])];
    const stream = new TextStream((ids) => tok.decodeAfter(promptIds, ids), stopStrings, (id) => tok.byteTokens.has(id));
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
    // "What the model saw" is what it was given: the start cut to fit the context is shown apart.
    const dropped = promptIds.length - kept;
    const seen = dropped > 0 ? await tok.decode(promptIds.slice(dropped)) : promptText;
    return {
      reason: end,
      promptTokens: promptIds.length,
      promptTokensDropped: dropped,
      ...(dropped > 0 ? { promptTextDropped: (await tok.decode(promptIds.slice(0, dropped))).slice(-4000) } : {}),
      tokens,
      tokensPerSecond: tokens > 1 && seconds > 0 ? (tokens - 1) / seconds : 0,
      firstTokenMs: Math.round(firstTokenMs),
      backend,
      device,
      promptText: seen.slice(-4000),
    };
  }

  dispose(): void {
    this.loaded?.model.dispose();
    this.loaded = null;
  }
}

const TOP_CANDIDATES = 5;
export const MASK_PLACEHOLDER = '<mask>';

/** Label probabilities for a text, encoded exactly as fine-tuning and evaluation encode it. */
async function classify(model: OpenedModel, text: string): Promise<{ prediction: Prediction; promptTokens: number; filled?: string }> {
  const { config, params, tok } = model;
  if (!config.numClasses || !config.labels) throw new Error('this model has no classification head; fine-tune it in classification mode to label text');
  const [ids] = await encodeForClassifier(tok, [text], config.contextLength, 0);
  const [probs] = await classProbabilities({ config, params, padId: tok.specials[EOS] ?? 0 }, [ids!]);
  const labels = config.labels.map((label, k) => ({ label, probability: probs![k]! })).sort((a, b) => b.probability - a.probability);
  return { prediction: { labels }, promptTokens: ids!.length };
}

/** The likeliest tokens at each <mask> of a text, for a bidirectional (masked-LM) encoder. */
async function fillMask(model: OpenedModel, text: string): Promise<{ prediction: Prediction; promptTokens: number; filled: string }> {
  const { config, params, tok } = model;
  if (config.causal) throw new Error('this model is a decoder: it continues text (Complete mode) rather than filling in <mask>');
  if (config.maskTokenId < 0) throw new Error('this encoder has no mask token');
  const parts = text.split(MASK_PLACEHOLDER);
  if (parts.length < 2) throw new Error(`write ${MASK_PLACEHOLDER} where a token is missing`);
  const ids: number[] = [];
  const at: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    ids.push(...(await tok.encode(parts[i]!)));
    if (i < parts.length - 1) {
      at.push(ids.length);
      ids.push(config.maskTokenId);
    }
  }
  if (ids.length > config.contextLength) throw new Error(`the text is ${ids.length} tokens; this model reads at most ${config.contextLength}`);
  const probs = tf.tidy(() => {
    const hidden = hiddenStates(params, config, tf.tensor2d(ids, [1, ids.length], 'int32'), { training: false });
    const rows = tf.gather(hidden, tf.tensor1d(at, 'int32')) as tf.Tensor2D;
    return tf.softmax(lmLogits(params, config, rows));
  });
  const flat = (await probs.data()) as Float32Array;
  probs.dispose();
  const V = config.vocabSize;
  const masks: NonNullable<Prediction['masks']> = [];
  for (let m = 0; m < at.length; m++) {
    const row = flat.subarray(m * V, (m + 1) * V);
    const best = Array.from(row.keys()).filter((id) => id !== config.maskTokenId).sort((a, b) => row[b]! - row[a]!).slice(0, TOP_CANDIDATES);
    masks.push({ candidates: await Promise.all(best.map(async (id) => ({ token: await tok.decode([id]), probability: row[id]! }))) });
  }
  // The text with each mask replaced by its likeliest token.
  const filled = parts.reduce((acc, part, i) => acc + part + (i < masks.length ? masks[i]!.candidates[0]!.token : ''), '');
  return { prediction: { masks }, promptTokens: ids.length, filled };
}
