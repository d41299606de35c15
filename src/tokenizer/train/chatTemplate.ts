/**
 * The ChatML chat template (jinja) written into tokenizer_config.json. It is Qwen3's template with the tool-calling
 * parts removed, so plain system/user/assistant chats render byte-for-byte as Qwen3 renders them:
 *
 *   <|im_start|>system\n{content}<|im_end|>\n<|im_start|>user\n{content}<|im_end|>\n<|im_start|>assistant\n...
 *
 * Kept from Qwen3: assistant turns after the last user turn carry a `<think>\n{reasoning}\n</think>\n\n` block
 * (empty reasoning for the final turn), earlier assistant turns have their reasoning stripped, reasoning can come
 * from `reasoning_content` or an inline `<think>...</think>` prefix, and `add_generation_prompt` with
 * `enable_thinking=false` appends `<think>\n\n</think>\n\n` after the assistant header.
 * Dropped: `tools`, `tool_calls`, and the `tool` role (tool messages render nothing).
 */

export function chatTemplateChatML(): string {
    return [
        "{%- if messages[0].role == 'system' %}",
        "    {{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}",
        "{%- endif %}",
        "{%- set ns = namespace(last_query_index=messages|length - 1) %}",
        "{%- for message in messages %}",
        "    {%- if message.role == 'user' %}",
        "        {%- set ns.last_query_index = loop.index0 %}",
        "    {%- endif %}",
        "{%- endfor %}",
        "{%- for message in messages %}",
        "    {%- if (message.role == 'user') or (message.role == 'system' and not loop.first) %}",
        "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}",
        "    {%- elif message.role == 'assistant' %}",
        "        {%- set content = message.content %}",
        "        {%- set reasoning_content = '' %}",
        "        {%- if message.reasoning_content is defined and message.reasoning_content is not none %}",
        "            {%- set reasoning_content = message.reasoning_content %}",
        "        {%- else %}",
        "            {%- if '</think>' in message.content %}",
        "                {%- set content = message.content.split('</think>')[-1].lstrip('\\n') %}",
        "                {%- set reasoning_content = message.content.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') %}",
        "            {%- endif %}",
        "        {%- endif %}",
        "        {%- if loop.index0 > ns.last_query_index %}",
        "            {%- if loop.last or (not loop.last and reasoning_content) %}",
        "                {{- '<|im_start|>' + message.role + '\\n<think>\\n' + reasoning_content.strip('\\n') + '\\n</think>\\n\\n' + content.lstrip('\\n') }}",
        "            {%- else %}",
        "                {{- '<|im_start|>' + message.role + '\\n' + content }}",
        "            {%- endif %}",
        "        {%- else %}",
        "            {{- '<|im_start|>' + message.role + '\\n' + content }}",
        "        {%- endif %}",
        "        {{- '<|im_end|>\\n' }}",
        "    {%- endif %}",
        "{%- endfor %}",
        "{%- if add_generation_prompt %}",
        "    {{- '<|im_start|>assistant\\n' }}",
        "    {%- if enable_thinking is defined and enable_thinking is false %}",
        "        {{- '<think>\\n\\n</think>\\n\\n' }}",
        "    {%- endif %}",
        "{%- endif %}",
    ].join("\n");
}
