# data/: loaders, corrupted-set selection, atomic output files.
libtg_la_SOURCES += data/atomic.c
include_HEADERS += data/tg_atomic.h
