# tests/: the core suites (other folders declare their own suites in their local.mk).
noinst_HEADERS += tests/check_util.h
check_PROGRAMS += tests/test_graph tests/test_grad
TESTS += tests/test_graph tests/test_grad
tests_test_graph_SOURCES = tests/test_graph.c
tests_test_graph_CFLAGS = $(TEST_CFLAGS)
tests_test_graph_LDADD = $(TEST_LIBS)
tests_test_grad_SOURCES = tests/test_grad.c
tests_test_grad_CFLAGS = $(TEST_CFLAGS)
tests_test_grad_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_kernels
TESTS += tests/test_kernels
tests_test_kernels_SOURCES = tests/test_kernels.c
tests_test_kernels_CFLAGS = $(TEST_CFLAGS)
tests_test_kernels_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_parallel
TESTS += tests/test_parallel
tests_test_parallel_SOURCES = tests/test_parallel.c
tests_test_parallel_CFLAGS = $(TEST_CFLAGS)
tests_test_parallel_LDADD = $(TEST_LIBS)
