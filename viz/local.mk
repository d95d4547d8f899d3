# viz/: see Makefile.am
libtg_la_SOURCES += viz/canvas.c viz/text.c viz/png.c viz/plot.c viz/grid.c \
	viz/histogram.c viz/scatter.c viz/lineplot.c
include_HEADERS += viz/tg_viz.h
noinst_HEADERS += viz/plot.h

check_PROGRAMS += tests/test_viz
TESTS += tests/test_viz
tests_test_viz_SOURCES = tests/test_viz.c
tests_test_viz_CFLAGS = $(TEST_CFLAGS)
tests_test_viz_LDADD = $(TEST_LIBS) $(STB_LIBS)
