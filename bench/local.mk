# bench/: benchmarks that print figures (not run by make check).
noinst_PROGRAMS += bench/bench_rsrae
noinst_HEADERS += bench/bench_util.h
bench_bench_rsrae_SOURCES = bench/bench_rsrae.c
EXTRA_DIST += bench/run.sh bench/torch_rsrae.py
