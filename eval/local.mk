# eval/: metrics.
