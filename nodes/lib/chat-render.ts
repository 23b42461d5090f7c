/**
 * Renders a conversation with a chat template for fine-tuning, turn by turn, so that every assistant
 * turn can be learned from and nothing else is.
 *
 * The template renders growing prefixes of the conversation: before each assistant turn with the
 * generation prompt (what the model is shown at inference), and through it without. Each rendering
 * must begin with the one before (checked), so the pieces join up into the whole rendered
 * conversation. Each assistant turn's learned piece is its content plus the end-of-text: kept where
 * the template writes it after the content (`{{ eos_token }}`, ChatML's <|im_end|>), inserted
 * otherwise, as single-turn prompt/response records have always been trained.
 */
import type { ChatSegment, ChatTurn } from '../sdk/index.ts';
import { chatVariables } from './chat-template.ts';

export type { ChatSegment, ChatTurn };

export interface ChatRenderer {
  render(variables: Record<string, unknown>): string;
}

export interface RenderedConversation {
  /** Everything before the last assistant turn, with the generation prompt: what the model is shown. */
  prompt: string;
  /** The last assistant turn's content plus end-of-text. */
  response: string;
  /** The last assistant turn's content alone (for exact-match evaluation). */
  answer: string;
  /** Multi-turn only: the conversation in order, `learn` on every assistant turn. */
  segments?: ChatSegment[];
}

const VALID_ROLES = new Set(['system', 'user', 'assistant']);

/** The messages of a record, checked: a list of {role: system|user|assistant, content: text}. */
export function checkMessages(value: unknown): ChatTurn[] {
  if (!Array.isArray(value)) throw new Error('"messages" is not a list');
  value.forEach((m, i) => {
    const t = m as Partial<ChatTurn> | null;
    if (!t || typeof t !== 'object') throw new Error(`message ${i + 1} is not an object`);
    if (!VALID_ROLES.has(t.role as string)) throw new Error(`message ${i + 1} has role ${JSON.stringify(t.role)}; expected system, user or assistant`);
    if (typeof t.content !== 'string') throw new Error(`message ${i + 1} (${t.role}) has no text content`);
  });
  return value as ChatTurn[];
}

function render(template: ChatRenderer, messages: ChatTurn[], generationPrompt: boolean, endOfText: string): string {
  return template.render({ ...chatVariables(messages, endOfText), add_generation_prompt: generationPrompt });
}

const NOT_INCREMENTAL =
  'the chat template does not render this conversation turn by turn (rendering more turns changed the text of earlier ones), so the assistant turns cannot be told apart; use a template whose rendering of a conversation begins with its rendering of every shorter one';

/**
 * A conversation rendered for training. Turns after the last assistant turn are dropped (nothing
 * follows them to learn from); a conversation without an assistant turn is an error.
 */
export function renderConversation(template: ChatRenderer, messages: ChatTurn[], endOfText: string): RenderedConversation {
  const assistant = messages.flatMap((m, i) => (m.role === 'assistant' ? [i] : []));
  if (!assistant.length) throw new Error('no assistant turn to learn from');
  const last = assistant[assistant.length - 1]!;
  const answer = messages[last]!.content;
  const prompt = render(template, messages.slice(0, last), true, endOfText);
  if (assistant.length === 1) return { prompt, response: answer + endOfText, answer };

  const segments: ChatSegment[] = [];
  // How far into the template's own rendering the segments reach (inserted end-of-texts not counted).
  let covered = '';
  let pos = 0;
  for (const i of assistant) {
    const before = render(template, messages.slice(0, i), true, endOfText);
    if (!before.startsWith(covered)) throw new Error(NOT_INCREMENTAL);
    const through = render(template, messages.slice(0, i + 1), false, endOfText);
    if (!through.startsWith(before)) throw new Error(`${NOT_INCREMENTAL} (assistant turn ${i + 1} changes the generation prompt)`);
    const turn = through.slice(before.length);
    let content = messages[i]!.content;
    let at = turn.indexOf(content);
    // Templates that trim contents ({{ message.content | trim }}).
    if (at < 0 && content.trim() !== content) at = turn.indexOf((content = content.trim()));
    if (at < 0) throw new Error(`the chat template does not write assistant turn ${i + 1} (message ${i + 1}) as given, so it cannot be learned from`);
    // Markup the template writes between the generation prompt and the content is the model's to write too.
    const learned = turn.slice(0, at + content.length);
    const templateEnds = endOfText !== '' && turn.startsWith(endOfText, at + content.length);
    const unlearned = before.slice(pos);
    if (unlearned) segments.push({ text: unlearned, learn: false });
    segments.push({ text: learned + endOfText, learn: true });
    pos = before.length + learned.length + (templateEnds ? endOfText.length : 0);
    covered = through;
  }
  // The pieces are the template's rendering, save the end-of-texts inserted after turns whose template did not end them.
  const rendered = covered.slice(0, pos);
  let check = '';
  let at = 0;
  for (const s of segments) {
    const piece = s.learn && !rendered.startsWith(s.text, at) ? s.text.slice(0, s.text.length - endOfText.length) : s.text;
    check += piece;
    at += piece.length;
  }
  if (check !== rendered) throw new Error(NOT_INCREMENTAL);
  return { prompt, response: answer + endOfText, answer, segments };
}
