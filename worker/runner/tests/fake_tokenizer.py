"""A tokenizer stand-in for the formatting tests: one id per character, special tokens as one id."""
from __future__ import annotations

import re
from typing import Any

SPECIAL_TOKENS = {"<s>": 1, "</s>": 2, "<|im_start|>": 3, "<|im_end|>": 4}
SPECIAL_PATTERN = re.compile("|".join(re.escape(token) for token in SPECIAL_TOKENS))
ID_TO_SPECIAL = {token_id: token for token, token_id in SPECIAL_TOKENS.items()}


class CharTokenizer:
    """Alpaca path by default; ChatTokenizer below adds a ChatML-like chat template."""

    chat_template: str | None = None
    bos_token_id: int | None = 1
    eos_token_id: int | None = 2

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        assert add_special_tokens is False, "the runner encodes rendered text without adding special tokens"
        ids: list[int] = []
        position = 0
        for match in SPECIAL_PATTERN.finditer(text):
            ids.extend(ord(char) for char in text[position : match.start()])
            ids.append(SPECIAL_TOKENS[match.group()])
            position = match.end()
        ids.extend(ord(char) for char in text[position:])
        return ids

    def decode(self, ids: list[int]) -> str:
        return "".join(ID_TO_SPECIAL.get(token_id) or chr(token_id) for token_id in ids)

    def apply_chat_template(self, conversation: list[dict[str, str]], tokenize: bool = True, add_generation_prompt: bool = False) -> Any:
        raise AssertionError("no chat template")


class ChatTokenizer(CharTokenizer):
    chat_template = "chatml"

    def apply_chat_template(self, conversation: list[dict[str, str]], tokenize: bool = True, add_generation_prompt: bool = False) -> Any:
        assert tokenize is False
        text = "".join(self._turn(message, position, conversation) for position, message in enumerate(conversation))
        return text + ("<|im_start|>assistant\n" if add_generation_prompt else "")

    def _turn(self, message: dict[str, str], position: int, conversation: list[dict[str, str]]) -> str:
        return f"<|im_start|>{message['role']}\n{message['content']}<|im_end|>\n"


class ForgetfulChatTokenizer(ChatTokenizer):
    """Like templates that rewrite answers given before the last user message (Qwen3 drops their
    reasoning): a longer conversation is then no extension of a shorter one."""

    def _turn(self, message: dict[str, str], position: int, conversation: list[dict[str, str]]) -> str:
        answered_before_last_question = any(later["role"] == "user" for later in conversation[position + 1 :])
        if message["role"] == "assistant" and answered_before_last_question:
            return "<|im_start|>assistant\n(earlier answer)<|im_end|>\n"
        return super()._turn(message, position, conversation)
