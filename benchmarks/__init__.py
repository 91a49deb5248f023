"""Benchmarks: speed targets as ratios against baselines measured in the same run (`make bench`)."""
