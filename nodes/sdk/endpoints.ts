/**
 * Local OpenAI-compatible endpoints (the deploy node, `weft deploy`): what the editor and the CLI
 * know of one, and the snippets that show how to call it. No imports: the renderer uses it too.
 */

/** Whether an endpoint answers: asked of the endpoint itself (an authenticated status request), never of a pid. */
export type EndpointStatus = 'running' | 'starting' | 'stopped';

export interface EndpointInfo {
  id: string;
  /** The model name clients send (`model` in requests, listed by GET /v1/models). */
  name: string;
  /** The model folder or .gguf file it serves. */
  modelPath: string;
  /** weft: Weft's own generation; llama.cpp: node-llama-cpp on a .gguf. */
  backend: 'weft' | 'llama.cpp';
  /** Base URL for OpenAI clients (ends in /v1). */
  url: string;
  host: string;
  port: number;
  status: EndpointStatus;
  startedAt: string;
  pid?: number;
  /** Counted by the endpoint since it started; absent when it does not answer. */
  requestsServed?: number;
  /** Requests waiting for the one generation at a time. */
  queued?: number;
  queueLimit: number;
  maxTokens: number;
  /** The file holding the key (readable by the user only). */
  keyFile: string;
  /** The editor shows the key once; false after that (it stays in keyFile). */
  keyRevealable: boolean;
  /** The last lines of its log, when it is not running (why it stopped). */
  logTail?: string;
}

/** The key of an endpoint, shown once, with ready-to-paste calls. */
export interface RevealedEndpointKey {
  id: string;
  key: string;
  snippets: EndpointSnippets;
}

export interface EndpointSnippets {
  curl: string;
  python: string;
  javascript: string;
}

const quote = (s: string) => JSON.stringify(s);

/** How to call an endpoint from a shell, Python (openai) and JavaScript (openai). */
export function endpointSnippets(url: string, model: string, key: string): EndpointSnippets {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 64 });
  return {
    curl: `curl ${url}/chat/completions \\\n  -H "Authorization: Bearer ${key}" \\\n  -H "Content-Type: application/json" \\\n  -d '${body}'`,
    python: [
      'from openai import OpenAI',
      '',
      `client = OpenAI(base_url=${quote(url)}, api_key=${quote(key)})`,
      `reply = client.chat.completions.create(model=${quote(model)}, messages=[{"role": "user", "content": "Hello!"}], max_tokens=64)`,
      'print(reply.choices[0].message.content)',
    ].join('\n'),
    javascript: [
      "import OpenAI from 'openai';",
      '',
      `const client = new OpenAI({ baseURL: ${quote(url)}, apiKey: ${quote(key)} });`,
      `const reply = await client.chat.completions.create({ model: ${quote(model)}, messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 64 });`,
      'console.log(reply.choices[0].message.content);',
    ].join('\n'),
  };
}

/** Endpoint ids: lower-case letters, digits and dashes (they name files in the workspace). */
export const ENDPOINT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
