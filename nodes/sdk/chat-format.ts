/** Chat formatting shared by the Chat format node's spec, fine-tuning and the playground. */

/** A plain "role: content" format, used when nothing better is known. */
export const DEFAULT_CHAT_TEMPLATE =
  "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}";
