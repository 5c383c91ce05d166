"""A tiny chat model's parts, made offline: a byte-level BPE tokenizer trained here and a 2-layer
Llama config for the runner's `random_init`. Nothing is downloaded, so CI trains the real runner
(torch, transformers, peft) on it in seconds.

    python tiny_model.py <dir>           writes <dir>/tokenizer/ and <dir>/random_init.json, prints the dir
    python tiny_model.py <dir> --model   also <dir>/model/: random weights (seed 0) and the tokenizer,
                                         saved as a Hub download would be: a base model given by its
                                         path, as on a box that cannot reach the Hub

Needs `tokenizers` and `transformers` (the runner's requirements). Deterministic: the same corpus
and settings give the same tokenizer, so tests can compare logits across processes.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

VOCAB_SIZE = 384

# A small Llama: the runner's LoRA, packing, checkpointing and eval paths all run for real.
RANDOM_INIT = {
    "model_type": "llama",
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 512,
    "vocab_size": VOCAB_SIZE,
    "tie_word_embeddings": False,
}

# A ChatML-style template with strict alternation after an optional system turn, like many
# real models: it raises on anything else, which the runner must handle.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' and loop.index0 != 0 %}"
    "{{ raise_exception('A system message must come first') }}"
    "{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

SPECIAL_TOKENS = ["<|pad|>", "<|bos|>", "<|im_start|>", "<|im_end|>"]


def corpus() -> list[str]:
    topics = ["warranty", "invoice", "router", "battery", "refund", "firmware", "shipping", "password"]
    verbs = ["covers", "explains", "resets", "replaces", "includes", "requires", "lists", "describes"]
    lines = []
    for i, topic in enumerate(topics):
        for j, verb in enumerate(verbs):
            lines.append(f"The {topic} policy {verb} section {i * 8 + j} of the manual.")
            lines.append(f"Question: what does the {topic} guide say? Answer: it {verb} the {topic} steps.")
    lines.append("user assistant system 0 1 2 3 4 5 6 7 8 9 . , ? ! : ; ' \"")
    return lines


def build_tokenizer(directory: Path) -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(corpus(), trainer=trainer)
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<|bos|>",
        eos_token="<|im_end|>",
        pad_token="<|pad|>",
    )
    wrapped.chat_template = CHAT_TEMPLATE
    wrapped.save_pretrained(str(directory))


def build_model(directory: Path, tokenizer_dir: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    settings = dict(RANDOM_INIT)
    config = AutoConfig.for_model(settings.pop("model_type"), **settings)
    # Generation stops at the tokenizer's end of turn, as with a real chat model.
    config.bos_token_id, config.eos_token_id, config.pad_token_id = tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(config).save_pretrained(str(directory))
    tokenizer.save_pretrained(str(directory))


def build(directory: Path, model: bool = False) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer_dir = directory / "tokenizer"
    if not (tokenizer_dir / "tokenizer.json").is_file():
        build_tokenizer(tokenizer_dir)
    (directory / "random_init.json").write_text(json.dumps(RANDOM_INIT, indent=2) + "\n", encoding="utf-8")
    if model and not (directory / "model" / "config.json").is_file():
        build_model(directory / "model", tokenizer_dir)
    return directory


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3) or sys.argv[2:] not in ([], ["--model"]):
        sys.exit("usage: python tiny_model.py <dir> [--model]")
    print(build(Path(sys.argv[1]), model=sys.argv[2:] == ["--model"]))
