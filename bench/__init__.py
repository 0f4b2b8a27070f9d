"""On-demand benchmarks: ``python -m bench <name>`` (not part of the test run)."""
