# data/: loaders, corrupted-set selection, atomic output files.
libtg_la_SOURCES += data/atomic.c
include_HEADERS += data/tg_atomic.h
libtg_la_SOURCES += data/dataset.c data/idx.c data/csv.c data/imgdir.c data/load.c \
	data/preprocess.c data/select.c
include_HEADERS += data/tg_data.h
noinst_HEADERS += data/data_internal.h

# The suite writes its own fixtures (IDX, CSV, PNG) into a mkdtemp folder,
# calling zlib and stb_image_write directly.
check_PROGRAMS += tests/test_data
TESTS += tests/test_data
tests_test_data_SOURCES = tests/test_data.c
tests_test_data_CFLAGS = $(TEST_CFLAGS)
tests_test_data_LDADD = $(TEST_LIBS) $(STB_LIBS) $(ZLIB_LIBS)
