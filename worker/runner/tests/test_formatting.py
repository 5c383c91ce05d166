import unittest

from ftf_runner.formatting import (
    IGNORE_INDEX,
    TokenizedExample,
    pack,
    pad_batch,
    prepare_sequences,
    prompt_ids,
    tokenize_conversation,
)
from tests.fake_tokenizer import CharTokenizer, ChatTokenizer, ForgetfulChatTokenizer

ONE_TURN = [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}]
TWO_TURNS = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "A?"},
    {"role": "assistant", "content": "One."},
    {"role": "user", "content": "B?"},
    {"role": "assistant", "content": "Two."},
]


def trained_text(tokenizer: CharTokenizer, example: TokenizedExample) -> str:
    return tokenizer.decode([label for label in example["labels"] if label != IGNORE_INDEX])


class ChatTemplateTest(unittest.TestCase):
    def test_input_is_the_rendered_conversation(self) -> None:
        tokenizer = ChatTokenizer()
        example = tokenize_conversation(tokenizer, TWO_TURNS, 4096)
        self.assertEqual(tokenizer.decode(example["input_ids"]), tokenizer.apply_chat_template(TWO_TURNS, tokenize=False))
        self.assertEqual(len(example["input_ids"]), len(example["labels"]))

    def test_loss_only_on_assistant_tokens(self) -> None:
        tokenizer = ChatTokenizer()
        example = tokenize_conversation(tokenizer, TWO_TURNS, 4096)
        self.assertEqual(trained_text(tokenizer, example), "One.<|im_end|>\nTwo.<|im_end|>\n")
        for token, label in zip(example["input_ids"], example["labels"]):
            self.assertIn(label, (token, IGNORE_INDEX))

    def test_assistant_header_is_context_not_target(self) -> None:
        tokenizer = ChatTokenizer()
        example = tokenize_conversation(tokenizer, ONE_TURN, 4096)
        first_trained = next(i for i, label in enumerate(example["labels"]) if label != IGNORE_INDEX)
        self.assertTrue(tokenizer.decode(example["input_ids"][:first_trained]).endswith("<|im_start|>assistant\n"))

    def test_template_that_rewrites_earlier_turns_trains_the_last_answer(self) -> None:
        tokenizer = ForgetfulChatTokenizer()
        example = tokenize_conversation(tokenizer, TWO_TURNS, 4096)
        self.assertEqual(trained_text(tokenizer, example), "Two.<|im_end|>\n")
        self.assertIn("(earlier answer)", tokenizer.decode(example["input_ids"]))

    def test_prompt_ends_with_the_generation_prompt(self) -> None:
        tokenizer = ChatTokenizer()
        self.assertEqual(tokenizer.decode(prompt_ids(tokenizer, "Why?")), "<|im_start|>user\nWhy?<|im_end|>\n<|im_start|>assistant\n")


class AlpacaTemplateTest(unittest.TestCase):
    def test_text_and_special_tokens(self) -> None:
        tokenizer = CharTokenizer()
        example = tokenize_conversation(tokenizer, ONE_TURN, 4096)
        self.assertEqual(tokenizer.decode(example["input_ids"]), "<s>### Instruction:\nHi?\n\n### Response:\nHello.</s>")

    def test_loss_only_on_the_answer_and_its_eos(self) -> None:
        tokenizer = CharTokenizer()
        example = tokenize_conversation(tokenizer, TWO_TURNS, 4096)
        self.assertEqual(trained_text(tokenizer, example), "One.</s>Two.</s>")
        self.assertTrue(tokenizer.decode(example["input_ids"]).startswith("<s>Be brief.\n\n### Instruction:\nA?"))

    def test_prompt_matches_training_format(self) -> None:
        tokenizer = CharTokenizer()
        self.assertEqual(tokenizer.decode(prompt_ids(tokenizer, "Hi?")), "<s>### Instruction:\nHi?\n\n### Response:\n")

    def test_tokenizer_without_bos_or_eos(self) -> None:
        tokenizer = CharTokenizer()
        tokenizer.bos_token_id = None
        tokenizer.eos_token_id = None
        example = tokenize_conversation(tokenizer, ONE_TURN, 4096)
        self.assertEqual(trained_text(tokenizer, example), "Hello.")


class TruncationTest(unittest.TestCase):
    def test_cut_to_max_seq_length_with_labels_aligned(self) -> None:
        tokenizer = ChatTokenizer()
        full = tokenize_conversation(tokenizer, TWO_TURNS, 4096)
        cut = tokenize_conversation(tokenizer, TWO_TURNS, 40)
        self.assertEqual(len(cut["input_ids"]), 40)
        self.assertEqual(cut["input_ids"], full["input_ids"][:40])
        self.assertEqual(cut["labels"], full["labels"][:40])

    def test_examples_whose_answer_is_cut_away_are_dropped(self) -> None:
        tokenizer = CharTokenizer()
        long_prompt = [{"role": "user", "content": "x" * 100}, {"role": "assistant", "content": "ok"}]
        sequences, dropped = prepare_sequences(tokenizer, [ONE_TURN, long_prompt], 60, packing=False)
        self.assertEqual((len(sequences), dropped), (1, 1))


class PackingTest(unittest.TestCase):
    def test_blocks_of_max_seq_length_keep_every_token_and_label(self) -> None:
        tokenizer = ChatTokenizer()
        examples = [tokenize_conversation(tokenizer, conversation, 4096) for conversation in [ONE_TURN, ONE_TURN, ONE_TURN]]
        blocks = pack(examples, 32)
        self.assertTrue(all(len(block["input_ids"]) == 32 for block in blocks[:-1]))
        self.assertLessEqual(len(blocks[-1]["input_ids"]), 32)
        self.assertEqual([t for b in blocks for t in b["input_ids"]], [t for e in examples for t in e["input_ids"]])
        self.assertEqual([t for b in blocks for t in b["labels"]], [t for e in examples for t in e["labels"]])

    def test_example_boundaries_are_masked(self) -> None:
        tokenizer = CharTokenizer()
        first = tokenize_conversation(tokenizer, ONE_TURN, 4096)
        blocks = pack([first, first], 4096)
        self.assertEqual(len(blocks), 1)
        self.assertEqual(blocks[0]["labels"][len(first["labels"])], IGNORE_INDEX)

    def test_blocks_without_answer_tokens_are_dropped(self) -> None:
        prompt_only: TokenizedExample = {"input_ids": [5] * 10, "labels": [IGNORE_INDEX] * 10}
        answer: TokenizedExample = {"input_ids": [6] * 4, "labels": [6] * 4}
        blocks = pack([prompt_only, answer], 8)
        self.assertEqual(blocks, [{"input_ids": [5, 5, 6, 6, 6, 6], "labels": [IGNORE_INDEX] * 2 + [6] * 4}])

    def test_prepare_sequences_packs_on_request(self) -> None:
        tokenizer = ChatTokenizer()
        sequences, dropped = prepare_sequences(tokenizer, [ONE_TURN] * 10, 64, packing=True)
        self.assertEqual(dropped, 0)
        self.assertEqual(len(sequences[0]["input_ids"]), 64)
        self.assertLess(len(sequences), 10)


class PaddingTest(unittest.TestCase):
    batch: list[TokenizedExample] = [{"input_ids": [7, 8, 9], "labels": [IGNORE_INDEX, 8, 9]}, {"input_ids": [5], "labels": [5]}]

    def test_right_padding_for_training(self) -> None:
        padded = pad_batch(self.batch, pad_token_id=0)
        self.assertEqual(padded["input_ids"], [[7, 8, 9], [5, 0, 0]])
        self.assertEqual(padded["labels"], [[IGNORE_INDEX, 8, 9], [5, IGNORE_INDEX, IGNORE_INDEX]])
        self.assertEqual(padded["attention_mask"], [[1, 1, 1], [1, 0, 0]])

    def test_left_padding_for_generation(self) -> None:
        padded = pad_batch(self.batch, pad_token_id=0, side="left")
        self.assertEqual(padded["input_ids"], [[7, 8, 9], [0, 0, 5]])
        self.assertEqual(padded["attention_mask"], [[1, 1, 1], [0, 0, 1]])


if __name__ == "__main__":
    unittest.main()
