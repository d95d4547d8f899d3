# graph/: the IR and the compiler pipeline (build -> grad -> plan -> run).
libtg_la_SOURCES += graph/error.c graph/graph.c graph/autodiff.c graph/planner.c \
	graph/interp.c graph/parallel.c graph/dump.c
include_HEADERS += graph/tg.h graph/tg_error.h
noinst_HEADERS += graph/tg_internal.h graph/tg_plan_internal.h graph/tg_parallel.h graph/tg_fp_exact.h
