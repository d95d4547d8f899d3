# tools/: the rsrae command-line program.
bin_PROGRAMS += tools/rsrae
tools_rsrae_SOURCES = tools/rsrae.c tools/options.c tools/prepare.c tools/report.c \
	tools/pictures.c tools/progress.c tools/cli.h tools/report.h tools/progress.h

# End to end: train, save, score, bad input (a shell script run by make check).
TESTS += tests/test_tool.sh
dist_noinst_SCRIPTS += tests/test_tool.sh
