# optim/: random numbers, initialisers, optimisers, learning-rate schedules.
libtg_la_SOURCES += optim/rng.c
include_HEADERS += optim/tg_rng.h
