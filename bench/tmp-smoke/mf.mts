import { modelfile } from '/work/wt-gguf/nodes/lib/gguf/modelfile.ts';
import { DEFAULT_CHAT_TEMPLATE } from '/work/wt-gguf/nodes/sdk/index.ts';
const chatml = "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
console.log(modelfile('x.gguf', chatml, '<|im_end|>').text);
console.log(modelfile('x.gguf', DEFAULT_CHAT_TEMPLATE, '<|endoftext|>').text);
