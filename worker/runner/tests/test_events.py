import json
import math
import re
import tempfile
import unittest
from pathlib import Path

from ftf_runner.events import EventWriter, utc_timestamp

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


class EventWriterTest(unittest.TestCase):
    def setUp(self) -> None:
        self.directory = tempfile.TemporaryDirectory()
        self.path = Path(self.directory.name) / "events.jsonl"

    def tearDown(self) -> None:
        self.directory.cleanup()

    def lines(self) -> list[str]:
        return self.path.read_text(encoding="utf-8").splitlines()

    def test_one_json_line_per_event_with_type_and_time(self) -> None:
        with EventWriter(self.path) as events:
            events.write("start", run_id="r", total_steps=10)
            events.write("log", level="info", message="multi\nline «text»")
            self.assertEqual(len(self.lines()), 2, "each event is on disk as soon as it is written")
        parsed = [json.loads(line) for line in self.lines()]
        self.assertEqual([event["type"] for event in parsed], ["start", "log"])
        self.assertEqual(parsed[0]["total_steps"], 10)
        self.assertEqual(parsed[1]["message"], "multi\nline «text»")
        for event in parsed:
            self.assertRegex(event["time"], ISO_UTC)

    def test_a_second_writer_appends(self) -> None:
        with EventWriter(self.path) as events:
            events.write("start", run_id="r")
        with EventWriter(self.path) as events:
            events.write("start", run_id="r", resumed_from_step=5)
        self.assertEqual([json.loads(line).get("resumed_from_step") for line in self.lines()], [None, 5])

    def test_non_finite_numbers_become_null(self) -> None:
        with EventWriter(self.path) as events:
            events.write("metric", step=1, loss=math.nan, grad_norm=math.inf, extra={"values": [1.0, -math.inf]})
        event = json.loads(self.lines()[0])
        self.assertEqual((event["loss"], event["grad_norm"], event["extra"]), (None, None, {"values": [1.0, None]}))

    def test_timestamp_format(self) -> None:
        self.assertRegex(utc_timestamp(), ISO_UTC)


if __name__ == "__main__":
    unittest.main()
