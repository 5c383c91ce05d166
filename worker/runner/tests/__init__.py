"""Tests of the runner that need no ML libraries: cd worker/runner && python3 -m unittest discover -s tests -t ."""
