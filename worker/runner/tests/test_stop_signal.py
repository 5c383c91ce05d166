import os
import signal
import unittest

from ftf_runner.lifecycle import StopRequested, StopSignal


class StopSignalTest(unittest.TestCase):
    def setUp(self) -> None:
        self.previous = signal.getsignal(signal.SIGTERM)

    def tearDown(self) -> None:
        signal.signal(signal.SIGTERM, self.previous)

    def test_before_training_a_sigterm_aborts_at_once(self) -> None:
        stop = StopSignal()
        stop.install()
        with self.assertRaises(StopRequested):
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):  # Python runs signal handlers between bytecodes: give it some
                pass
        self.assertTrue(stop.requested)

    def test_during_training_a_sigterm_only_asks_to_stop(self) -> None:
        stop = StopSignal()
        stop.install()
        stop.training_started()
        os.kill(os.getpid(), signal.SIGTERM)
        self.assertTrue(stop.requested)

    def test_a_stop_is_not_an_ordinary_exception(self) -> None:
        self.assertFalse(issubclass(StopRequested, Exception))


if __name__ == "__main__":
    unittest.main()
