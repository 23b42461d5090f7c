/**
 * Ollama's Modelfile for an exported GGUF: FROM the file, TEMPLATE in Ollama's Go template syntax,
 * and a stop at the end-of-sequence token. Ollama's templates are Go templates, not Jinja, so the
 * chat template is translated by rendering it: each role's message with a marker as content gives
 * that role's text before and after the content, and the generation prompt is what
 * add_generation_prompt appends. The translation is used only when it reproduces the Jinja
 * rendering of a whole test conversation exactly; otherwise TEMPLATE is left out and Ollama falls
 * back to the chat template embedded in the GGUF file (tokenizer.chat_template), as it does for
 * files from llama.cpp's converter.
 */
import { Template } from '@huggingface/jinja';

const MARK = '\u0000WEFT\u0000';
const ROLES = ['system', 'user', 'assistant'] as const;

interface Message {
  role: string;
  content: string;
}

function goString(s: string): string {
  // Literal text inside a Go template: only "{{" needs escaping.
  return s.replace(/\{\{/g, '{{ "{{" }}');
}

/** The chat template as an Ollama Go template, or null when it cannot be translated faithfully. */
export function ollamaTemplate(jinja: string, eosToken: string, bosToken = ''): string | null {
  let template: Template;
  try {
    template = new Template(jinja);
  } catch {
    return null;
  }
  const render = (messages: Message[], add_generation_prompt: boolean): string | null => {
    try {
      return template.render({ messages, add_generation_prompt, eos_token: eosToken, bos_token: bosToken });
    } catch {
      return null;
    }
  };
  const empty = render([], false) ?? '';
  const parts: Partial<Record<(typeof ROLES)[number], [string, string]>> = {};
  for (const role of ROLES) {
    const text = render([{ role, content: MARK }], false);
    if (text === null || !text.startsWith(empty)) continue;
    const body = text.slice(empty.length);
    const at = body.indexOf(MARK);
    if (at < 0) return null;
    parts[role] = [body.slice(0, at), body.slice(at + MARK.length)];
  }
  if (!parts.user || !parts.assistant) return null;
  const userOnly = render([{ role: 'user', content: MARK }], false);
  const withPrompt = render([{ role: 'user', content: MARK }], true);
  if (userOnly === null || withPrompt === null || !withPrompt.startsWith(userOnly)) return null;
  const generationPrompt = withPrompt.slice(userOnly.length);

  const branches = ROLES.filter((r) => parts[r]).map((r, i) => `{{ ${i ? 'else if' : 'if'} eq .Role "${r}" }}${goString(parts[r]![0])}{{ .Content }}${goString(parts[r]![1])}`);
  const go = `${goString(empty)}{{- range $i, $_ := .Messages }}${branches.join('')}{{ end }}{{ end }}${goString(generationPrompt)}`;

  // Check: the translation must give the Jinja rendering of a real conversation, character for character.
  const conversation: Message[] = [
    ...(parts.system ? [{ role: 'system', content: 'Be brief.' }] : []),
    { role: 'user', content: 'Hi there' },
    { role: 'assistant', content: 'Hello!' },
    { role: 'user', content: 'What is 2+2?' },
  ];
  const expected = render(conversation, true);
  const simulated = empty + conversation.map((m) => parts[m.role as (typeof ROLES)[number]]!.join(m.content)).join('') + generationPrompt;
  return expected === simulated ? go : null;
}

export function modelfile(ggufFileName: string, chatTemplate: string | null, eosToken: string | null, bosToken = ''): { text: string; templated: boolean } {
  const lines = [`FROM ./${ggufFileName}`];
  const go = chatTemplate ? ollamaTemplate(chatTemplate, eosToken ?? '', bosToken) : null;
  if (go) lines.push(`TEMPLATE """${go}"""`);
  if (eosToken) lines.push(`PARAMETER stop ${JSON.stringify(eosToken)}`);
  return { text: lines.join('\n') + '\n', templated: go !== null };
}
