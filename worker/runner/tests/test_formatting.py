import unittest

from ftf_runner.errors import RunnerError
from ftf_runner.formatting import (
    IGNORE_INDEX,
    TokenizedExample,
    flatten_packed,
    fold_system,
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

    def test_prompt_after_its_context_reads_as_the_conversation_trained(self) -> None:
        tokenizer = ChatTokenizer()
        context = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "A?"}, {"role": "assistant", "content": "One."}]
        self.assertEqual(
            tokenizer.decode(prompt_ids(tokenizer, "B?", context)),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nA?<|im_end|>\n<|im_start|>assistant\nOne.<|im_end|>\n"
            "<|im_start|>user\nB?<|im_end|>\n<|im_start|>assistant\n",
        )


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
        prepared = prepare_sequences(tokenizer, [ONE_TURN, long_prompt], 60, packing=False)
        self.assertEqual((len(prepared.sequences), prepared.dropped), (1, 1))

    def test_prepared_counts_are_exact(self) -> None:
        tokenizer = CharTokenizer()
        long_answer = [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "a" * 100}]
        long_prompt = [{"role": "user", "content": "x" * 100}, {"role": "assistant", "content": "ok"}]
        one = len(tokenize_conversation(tokenizer, ONE_TURN, 4096)["input_ids"])
        whole_long = len(tokenize_conversation(tokenizer, long_answer, 4096)["input_ids"])
        prepared = prepare_sequences(tokenizer, [ONE_TURN, long_answer, long_prompt], 60, packing=False)
        self.assertEqual(
            prepared.counts(),
            {"examples": 3, "sequences": 2, "tokens": one + 60, "truncated": 2, "dropped": 1, "longest": max(whole_long, len(tokenize_conversation(tokenizer, long_prompt, 4096)["input_ids"]))},
        )


class PackingTest(unittest.TestCase):
    def test_whole_examples_best_fit_with_positions_restarting_per_example(self) -> None:
        sizes = [7, 5, 4, 3, 3, 2]
        examples: list[TokenizedExample] = [{"input_ids": [size] * size, "labels": [size] * size} for size in sizes]
        packed = pack(examples, 10)
        # Best fit decreasing: 7+3, 5+4, 3+2 (no example split, none over 10 tokens).
        self.assertEqual([sorted(set(row["input_ids"]), reverse=True) for row in packed], [[7, 3], [5, 4], [3, 2]])
        self.assertTrue(all(len(row["input_ids"]) <= 10 for row in packed))
        self.assertEqual(sorted(t for row in packed for t in row["input_ids"]), sorted(t for e in examples for t in e["input_ids"]))
        self.assertEqual(packed[0]["position_ids"], [0, 1, 2, 3, 4, 5, 6, 0, 1, 2])

    def test_each_examples_first_label_is_masked(self) -> None:
        tokenizer = CharTokenizer()
        first = tokenize_conversation(tokenizer, ONE_TURN, 4096)
        answer_first: TokenizedExample = {"input_ids": [6] * 4, "labels": [6] * 4}
        packed = pack([first, answer_first], 4096)
        self.assertEqual(len(packed), 1)
        row = packed[0]
        starts = [position for position, value in enumerate(row["position_ids"]) if value == 0]
        self.assertEqual(len(starts), 2)
        for start in starts:
            self.assertEqual(row["labels"][start], IGNORE_INDEX)
        # Nothing else is masked that was not masked before.
        self.assertEqual(row["labels"].count(6), 3)

    def test_an_example_of_exactly_max_length_goes_alone(self) -> None:
        examples: list[TokenizedExample] = [{"input_ids": [1] * 8, "labels": [1] * 8}, {"input_ids": [2] * 3, "labels": [2] * 3}]
        packed = pack(examples, 8)
        self.assertEqual([len(row["input_ids"]) for row in packed], [8, 3])

    def test_a_packed_batch_is_one_row_without_padding(self) -> None:
        examples: list[TokenizedExample] = [{"input_ids": [4] * 4, "labels": [4] * 4}, {"input_ids": [3] * 3, "labels": [3] * 3}, {"input_ids": [2] * 2, "labels": [2] * 2}]
        batch = flatten_packed(pack(examples, 6))
        self.assertEqual(set(batch), {"input_ids", "labels", "position_ids"})
        self.assertEqual(len(batch["input_ids"]), 1)
        self.assertEqual(len(batch["input_ids"][0]), 9)
        self.assertEqual(batch["position_ids"][0], [0, 1, 2, 3, 0, 1, 0, 1, 2])

    def test_prepare_sequences_packs_training_on_request(self) -> None:
        tokenizer = ChatTokenizer()
        prepared = prepare_sequences(tokenizer, [ONE_TURN] * 10, 64, packing=True)
        self.assertEqual(prepared.dropped, 0)
        self.assertEqual(prepared.examples, 10)
        self.assertLess(len(prepared.sequences), 10)
        self.assertEqual(sum(len(row["input_ids"]) for row in prepared.sequences), prepared.tokens)


class StrictTemplateTokenizer(ChatTokenizer):
    """Like Gemma's or Mistral's templates: no system role, and user/assistant must alternate."""

    def apply_chat_template(self, conversation: list[dict[str, str]], tokenize: bool = True, add_generation_prompt: bool = False) -> str:
        for position, message in enumerate(conversation):
            if message["role"] == "system":
                raise ValueError("System role not supported")
            if message["role"] != ("user" if position % 2 == 0 else "assistant"):
                raise ValueError("Conversation roles must alternate user/assistant/user/assistant/...")
        return super().apply_chat_template(conversation, tokenize, add_generation_prompt)


class TemplateRefusalTest(unittest.TestCase):
    def test_a_refused_system_turn_is_folded_into_the_first_user_turn(self) -> None:
        tokenizer = StrictTemplateTokenizer()
        example = tokenize_conversation(tokenizer, TWO_TURNS, 4096)
        text = tokenizer.decode(example["input_ids"])
        self.assertTrue(text.startswith("<|im_start|>user\nBe brief.\n\nA?<|im_end|>"))
        self.assertEqual(trained_text(tokenizer, example), "One.<|im_end|>\nTwo.<|im_end|>\n")

    def test_fold_system_without_a_user_turn_makes_one(self) -> None:
        self.assertEqual(fold_system([{"role": "system", "content": "S"}, {"role": "assistant", "content": "A"}]), [{"role": "user", "content": "S"}, {"role": "assistant", "content": "A"}])

    def test_a_conversation_the_template_still_refuses_is_a_data_error_naming_it(self) -> None:
        tokenizer = StrictTemplateTokenizer()
        two_users = [{"role": "user", "content": "A?"}, {"role": "user", "content": "B?"}, {"role": "assistant", "content": "Both."}]
        with self.assertRaises(RunnerError) as caught:
            prepare_sequences(tokenizer, [ONE_TURN, ONE_TURN, two_users], 4096, packing=False, file_name="data/train.jsonl")
        self.assertEqual(caught.exception.kind, "data")
        self.assertIn("data/train.jsonl, example 3: the chat template refuses this conversation", caught.exception.message)
        self.assertIn("must alternate", caught.exception.message)

    def test_the_error_names_the_line_when_it_is_known(self) -> None:
        two_users = [{"role": "user", "content": "A?"}, {"role": "user", "content": "B?"}, {"role": "assistant", "content": "Both."}]
        with self.assertRaises(RunnerError) as caught:
            prepare_sequences(StrictTemplateTokenizer(), [ONE_TURN, two_users], 4096, packing=False, file_name="data/eval.jsonl", line_numbers=[1, 3])
        self.assertIn("data/eval.jsonl line 3 (example 2): the chat template refuses", caught.exception.message)

    def test_leading_assistant_turns_are_context_not_trained(self) -> None:
        for tokenizer in (ChatTokenizer(), CharTokenizer()):
            opening = [{"role": "assistant", "content": "Welcome!"}, {"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}]
            trained = trained_text(tokenizer, tokenize_conversation(tokenizer, opening, 4096))
            self.assertNotIn("Welcome!", trained)
            self.assertIn("Hello.", trained)


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
