/** What the HTTP endpoint needs of a model, whichever engine generates: Weft's own, or llama.cpp on a GGUF. */

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface TextRequest {
  /** The whole text the model continues (a chat already rendered with its template). */
  prompt: string;
  maxTokens: number;
  temperature: number;
  topP: number;
  seed: number;
  /** Strings that end the answer; none of them is part of it. */
  stop: string[];
}

export interface TextResult {
  text: string;
  promptTokens: number;
  /** Tokens the model generated, including any that made up a stop string. */
  completionTokens: number;
  /** stop: an end-of-text token or a stop string; length: max_tokens or the context window. */
  finish: 'stop' | 'length';
}

export interface ServedModel {
  readonly backend: 'weft' | 'llama.cpp';
  /** Tokens the model reads at most, prompt and answer together. */
  readonly contextLength: number;
  /** A conversation in the model's own chat template, ready to continue, and the strings that end a turn. */
  renderChat(messages: ChatTurn[]): Promise<{ prompt: string; stop: string[] }>;
  /** Generates, calling onText with each piece of text that is final (never part of a stop string). */
  generate(request: TextRequest, onText: (delta: string) => void, signal: AbortSignal): Promise<TextResult>;
  dispose(): Promise<void>;
}
