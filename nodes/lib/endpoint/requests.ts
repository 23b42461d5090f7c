/**
 * The requests the endpoint accepts, checked with zod: the fields of OpenAI's completions and chat
 * completions it implements, with OpenAI's ranges. Unknown fields are ignored, as OpenAI's own
 * clients send some (user, metadata); a field it does not implement that changes the answer
 * (n > 1, logprobs, tools) is refused rather than silently dropped.
 */
import { z } from 'zod';
import { badRequest } from './api-error.ts';

const stop = z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).max(4)]).nullish();

const samplingFields = {
  model: z.string().min(1).max(200),
  max_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop,
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  n: z.number().int().min(1).max(1, 'this endpoint returns one choice per request (n = 1)').nullish(),
  logprobs: z.union([z.literal(false), z.null(), z.undefined()], 'logprobs are not supported by this endpoint').optional(),
};

const completionSchema = z.object({
  ...samplingFields,
  prompt: z.union([z.string().max(1_000_000), z.array(z.string().max(1_000_000)).length(1, 'this endpoint takes one prompt per request')]),
  echo: z.union([z.literal(false), z.null(), z.undefined()], 'echo is not supported by this endpoint').optional(),
  suffix: z.union([z.null(), z.undefined()], 'suffix is not supported by this endpoint').optional(),
});

const textPart = z.object({ type: z.literal('text', 'only text content parts are supported'), text: z.string() });
const message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant'], 'role must be system, developer, user or assistant'),
  content: z.union([z.string(), z.array(textPart), z.null()]),
});

const chatSchema = z.object({
  ...samplingFields,
  max_completion_tokens: z.number().int().min(1).nullish(),
  messages: z.array(message).min(1, 'messages must hold at least one message').max(1000),
  tools: z.union([z.null(), z.undefined(), z.array(z.unknown()).max(0)], 'tools are not supported by this endpoint').optional(),
});

export interface Sampling {
  model: string;
  /** Absent: the endpoint's default for this kind of request. */
  maxTokens?: number;
  temperature: number;
  topP: number;
  /** Absent: a random seed. */
  seed?: number;
  stop: string[];
  stream: boolean;
  includeUsage: boolean;
}

export interface CompletionRequest extends Sampling {
  prompt: string;
}

export interface ChatRequest extends Sampling {
  messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const param = issue.path.map(String).join('.') || null;
  const missing = issue.path.length === 1 && (body as Record<string, unknown>)[String(issue.path[0])] === undefined;
  throw badRequest(missing ? `you must provide ${param}` : `${param ? `${param}: ` : ''}${issue.message}`, param, missing ? 'missing_required_parameter' : 'invalid_value');
}

function samplingOf(b: z.infer<typeof completionSchema> | z.infer<typeof chatSchema>, maxTokens: number | null | undefined): Sampling {
  return {
    model: b.model,
    ...(maxTokens != null ? { maxTokens } : {}),
    temperature: b.temperature ?? 1,
    topP: b.top_p ?? 1,
    ...(b.seed != null ? { seed: b.seed } : {}),
    stop: b.stop == null ? [] : typeof b.stop === 'string' ? [b.stop] : b.stop,
    stream: b.stream ?? false,
    includeUsage: b.stream_options?.include_usage ?? false,
  };
}

export function parseCompletionRequest(body: unknown): CompletionRequest {
  const b = parse(completionSchema, body);
  return { ...samplingOf(b, b.max_tokens), prompt: typeof b.prompt === 'string' ? b.prompt : b.prompt[0]! };
}

export function parseChatRequest(body: unknown): ChatRequest {
  const b = parse(chatSchema, body);
  const messages = b.messages.map((m) => ({
    // OpenAI's newer models call the system turn "developer"; a chat template knows "system".
    role: m.role === 'developer' ? ('system' as const) : m.role,
    content: m.content == null ? '' : typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join(''),
  }));
  return { ...samplingOf(b, b.max_completion_tokens ?? b.max_tokens), messages };
}
