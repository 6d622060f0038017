"""``python -m benchmarks [--quick] [--json] [NAME ...]``: our time, a baseline, the ratio."""
