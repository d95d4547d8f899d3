# tools/: the rsrae command-line program.
bin_PROGRAMS += tools/rsrae
tools_rsrae_SOURCES = tools/rsrae.c tools/options.c tools/prepare.c tools/report.c \
	tools/pictures.c tools/progress.c tools/cli.h tools/report.h tools/progress.h
