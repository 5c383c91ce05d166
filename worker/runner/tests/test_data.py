import json
import tempfile
import unittest
from pathlib import Path

from ftf_runner.data import Prompt, read_conversations, read_numbered_conversations, read_optional_conversations, read_optional_numbered_conversations, read_prompts
from ftf_runner.errors import RunnerError


class DataFilesTest(unittest.TestCase):
    def setUp(self) -> None:
        self.directory = tempfile.TemporaryDirectory()
        self.path = Path(self.directory.name) / "train.jsonl"

    def tearDown(self) -> None:
        self.directory.cleanup()

    def write(self, *lines: str) -> None:
        self.path.write_text("\n".join(lines) + "\n")

    def test_conversations_are_read_and_blank_lines_skipped(self) -> None:
        example = {"id": "a", "messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A", "extra": 1}]}
        self.write(json.dumps(example), "", json.dumps(example))
        self.assertEqual(read_conversations(self.path), [[{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]] * 2)

    def test_numbered_conversations_keep_their_line(self) -> None:
        example = {"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}
        self.write(json.dumps(example), "", "", json.dumps(example))
        self.assertEqual([line for line, _ in read_numbered_conversations(self.path)], [1, 4])
        self.assertEqual(read_optional_numbered_conversations(None), [])

    def test_bad_lines_are_data_errors_naming_the_line(self) -> None:
        cases = {
            "{oops": "line 2: not valid JSON",
            json.dumps({"messages": []}): "line 2: 'messages' must be a non-empty list",
            json.dumps({"messages": [{"role": "bot", "content": "x"}]}): "line 2: message 0",
            json.dumps({"messages": [{"role": "user", "content": "x"}]}): "line 2: no assistant message",
        }
        good = json.dumps({"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]})
        for bad_line, expected in cases.items():
            self.write(good, bad_line)
            with self.assertRaises(RunnerError) as caught:
                read_conversations(self.path)
            self.assertEqual(caught.exception.kind, "data")
            self.assertIn(expected, caught.exception.message)

    def test_missing_train_file_is_a_data_error_and_missing_eval_file_is_empty(self) -> None:
        with self.assertRaisesRegex(RunnerError, "not found"):
            read_conversations(self.path)
        self.assertEqual(read_optional_conversations(self.path), [])
        self.assertEqual(read_optional_conversations(None), [])

    def test_prompts(self) -> None:
        self.write(json.dumps({"index": 0, "prompt": "P", "reference": "R"}), json.dumps({"index": 1, "prompt": "Q"}))
        self.assertEqual(read_prompts(self.path), [Prompt(0, "P", "R"), Prompt(1, "Q", "")])
        self.assertEqual(read_prompts(None), [])
        self.write(json.dumps({"index": "0", "prompt": "P"}))
        with self.assertRaisesRegex(RunnerError, "'index' must be an integer"):
            read_prompts(self.path)
        context = [{"role": "system", "content": "S"}, {"role": "user", "content": "A?"}, {"role": "assistant", "content": "One."}]
        self.write(json.dumps({"index": 0, "prompt": "B?", "reference": "Two.", "context": context}))
        self.assertEqual(read_prompts(self.path), [Prompt(0, "B?", "Two.", tuple(context))])
        self.write(json.dumps({"index": 0, "prompt": "B?", "context": [{"role": "tool", "content": "x"}]}))
        with self.assertRaisesRegex(RunnerError, "'context' must be a list"):
            read_prompts(self.path)


if __name__ == "__main__":
    unittest.main()
