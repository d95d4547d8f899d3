# models/: RSRAE as graph definitions, its trainer and scorer.
libtg_la_SOURCES += models/rsrae.c models/trainer.c
include_HEADERS += models/tg_rsrae.h models/tg_trainer.h
libtg_la_SOURCES += models/model_io.c
include_HEADERS += models/tg_model_io.h
EXTRA_DIST += docs/model-format.md

# The suite writes and corrupts its own model files in a mkdtemp folder and
# recomputes CRC-32s with zlib directly.
check_PROGRAMS += tests/test_model_io
TESTS += tests/test_model_io
tests_test_model_io_SOURCES = tests/test_model_io.c
tests_test_model_io_CFLAGS = $(TEST_CFLAGS)
tests_test_model_io_LDADD = $(TEST_LIBS) $(ZLIB_LIBS)

# The PyTorch reference test of the RSRAE graph (fixtures from models/make_reference.py).
dist_noinst_SCRIPTS += models/make_reference.py
dist_noinst_DATA += tests/fixtures/rsrae_ref_reference.txt tests/fixtures/rsrae_ref_paper.txt \
	tests/fixtures/rsrae_ref_p2_relu.txt
check_PROGRAMS += tests/test_rsrae_ref
TESTS += tests/test_rsrae_ref
tests_test_rsrae_ref_SOURCES = tests/test_rsrae_ref.c
tests_test_rsrae_ref_CPPFLAGS = $(AM_CPPFLAGS) -DTG_SRCDIR='"$(abs_top_srcdir)"'
tests_test_rsrae_ref_CFLAGS = $(TEST_CFLAGS)
tests_test_rsrae_ref_LDADD = $(TEST_LIBS)

# The training loop on a small model: it learns, it is reproducible, it
# reports where its steps' time went.
check_PROGRAMS += tests/test_trainer
TESTS += tests/test_trainer
tests_test_trainer_SOURCES = tests/test_trainer.c
tests_test_trainer_CFLAGS = $(TEST_CFLAGS)
tests_test_trainer_LDADD = $(TEST_LIBS)
