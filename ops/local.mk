# ops/: the op registry and one file per op family.
noinst_HEADERS += ops/tg_kernels.h ops/tg_fastmath.h
libtg_la_SOURCES += ops/registry.c ops/const.c ops/elementwise.c ops/activation.c \
	ops/matmul.c ops/reduce.c ops/layout.c
include_HEADERS += ops/tg_ops.h
dist_noinst_SCRIPTS += ops/fit_tanh.py
