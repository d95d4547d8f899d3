# eval/: see Makefile.am
libtg_la_SOURCES += eval/argsort.c eval/metrics.c eval/describe.c eval/pca.c
include_HEADERS += eval/tg_eval.h
dist_noinst_SCRIPTS += eval/make_fixtures.py
dist_noinst_DATA += tests/fixtures/eval_metrics.txt

check_PROGRAMS += tests/test_eval
TESTS += tests/test_eval
tests_test_eval_SOURCES = tests/test_eval.c
tests_test_eval_CPPFLAGS = $(AM_CPPFLAGS) -DTG_SRCDIR='"$(abs_top_srcdir)"'
tests_test_eval_CFLAGS = $(TEST_CFLAGS)
tests_test_eval_LDADD = $(TEST_LIBS)
