# optim/: random numbers, initialisers, optimisers, learning-rate schedules.
libtg_la_SOURCES += optim/rng.c
include_HEADERS += optim/tg_rng.h
libtg_la_SOURCES += optim/optim.c optim/kernels.c optim/kernels_avx2.c optim/kernels_avx512.c \
	optim/dispatch.c optim/sched.c optim/init.c \
	optim/orthogonal.c
include_HEADERS += optim/tg_optim.h optim/tg_sched.h optim/tg_init.h
noinst_HEADERS += optim/optim_kernels.h optim/simd.h
dist_noinst_SCRIPTS += optim/make_fixtures.py
dist_noinst_DATA += tests/fixtures/optim_sgd.txt tests/fixtures/optim_sgd_dampening.txt \
	tests/fixtures/optim_nesterov.txt tests/fixtures/optim_adam.txt \
	tests/fixtures/optim_adamw_onecycle.txt tests/fixtures/optim_schedules.txt \
	tests/fixtures/optim_orthogonal.txt tests/fixtures/optim_rng.txt

check_PROGRAMS += tests/test_optim
TESTS += tests/test_optim
tests_test_optim_SOURCES = tests/test_optim.c
tests_test_optim_CPPFLAGS = $(AM_CPPFLAGS) -DTG_SRCDIR='"$(abs_top_srcdir)"'
tests_test_optim_CFLAGS = $(TEST_CFLAGS)
tests_test_optim_LDADD = $(TEST_LIBS)

noinst_PROGRAMS += bench/bench_optim
bench_bench_optim_SOURCES = bench/bench_optim.c
bench_bench_optim_LDADD = libtg.la $(OPENBLAS_LIBS) $(LIBM)
