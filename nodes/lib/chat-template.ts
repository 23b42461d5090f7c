/**
 * Chat templates travel with a model the way Hugging Face keeps them: `chat_template` and
 * `eos_token` in tokenizer_config.json beside tokenizer.json. Chat fine-tuning writes them, so the
 * playground can talk to the model in the exact format it learned.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CHAT_TEMPLATE } from '../sdk/index.ts';

export { DEFAULT_CHAT_TEMPLATE };

export interface ChatFormat {
  template: string;
  /** Appended to every response in training, so generation stops there. */
  endOfText: string;
  /** The system message training used, if any. */
  system?: string;
  /** tokenizer_config.json's bos_token, which templates such as Llama 2's write themselves. */
  bosToken?: string;
}

const CONFIG_FILE = 'tokenizer_config.json';

export interface ChatMessageLike {
  role: string;
  content: string;
}

/**
 * The variables a chat template renders a conversation with, the same for a training prompt (Chat
 * format) and a playground request, so the model sees at inference exactly what it learned.
 * `bosToken` is the tokenizer's BOS text for templates that write it (Llama 2's starts each user
 * turn with {{ bos_token }}), as transformers' apply_chat_template passes it.
 */
export function chatVariables(messages: ChatMessageLike[], endOfText: string, bosToken = ''): Record<string, unknown> {
  return { messages, add_generation_prompt: true, eos_token: endOfText, bos_token: bosToken };
}

/** The chat format a model folder declares, or null when it was never fine-tuned for chat. */
export function readChatFormat(modelDir: string): ChatFormat | null {
  const file = join(modelDir, CONFIG_FILE);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const cfg = raw as { chat_template?: unknown; eos_token?: unknown; bos_token?: unknown; weft_system_message?: unknown };
  if (typeof cfg.chat_template !== 'string') return null;
  const text = (v: unknown) => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string' ? (v as { content: string }).content : '');
  return {
    template: cfg.chat_template,
    endOfText: text(cfg.eos_token),
    ...(text(cfg.bos_token) ? { bosToken: text(cfg.bos_token) } : {}),
    ...(typeof cfg.weft_system_message === 'string' && cfg.weft_system_message ? { system: cfg.weft_system_message } : {}),
  };
}

/** Writes tokenizer_config.json with the chat format, keeping any other keys already there. */
export function writeChatFormat(modelDir: string, chat: ChatFormat, contextLength: number): void {
  const file = join(modelDir, CONFIG_FILE);
  let existing: Record<string, unknown> = {};
  try {
    if (existsSync(file)) existing = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    existing = {};
  }
  const out = {
    ...existing,
    chat_template: chat.template,
    eos_token: chat.endOfText || null,
    model_max_length: contextLength,
    ...(chat.system ? { weft_system_message: chat.system } : {}),
  };
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
}
