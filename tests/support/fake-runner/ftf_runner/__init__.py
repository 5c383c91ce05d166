"""A stand-in for the real runner (worker/runner/ftf_runner) in tests: the same command line and
events, standard library only, no GPU. It trains nothing; its steps are timed sleeps with a loss
curve that falls. Tunable with a "fake" object in config.json (see train.py) and FTF_FAKE_STEP_MS.
"""
