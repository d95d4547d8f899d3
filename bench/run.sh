#!/bin/sh
# bench/run.sh - speed and memory of RSRAE training, printed as figures.
#
#   sh bench/run.sh            (from the top of a configured, built tree)
#
# For 1 and 2 threads: the reference experiment's epoch time against the
# sgemm bound measured in the same process (bench/bench_rsrae), the default
# setting's too, the full 60000-image split for linear scaling, the peak RSS
# of `rsrae train`, and, when Debian's python3-torch is installed, the same
# model and loop in PyTorch (bench/torch_rsrae.py) with the ratio per pair.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-.}
make -C "$build" -j2 --no-print-directory bench/bench_rsrae tools/rsrae >/dev/null
bench="$build/bench/bench_rsrae"
epochs=${EPOCHS:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p" "$2" | head -1; }
epoch_of() { field "train  epoch" "$1"; }

have_torch=0
/usr/bin/python3 -c 'import torch' 2>/dev/null && have_torch=1

# PyTorch runs right after ours at each thread count, so that both see the
# same load on a shared machine.
torch_run() { # torch threads, OpenBLAS threads
    echo "== PyTorch: torch threads $1, OpenBLAS threads $2 =="
    /usr/bin/python3 "$top/bench/torch_rsrae.py" --threads "$1" --blas-threads "$2" --epochs "$epochs" \
        | tail -1 | tee "$tmp/torch_$1_$2.txt"
}

for t in 1 2; do
    echo "== threads $t: reference experiment (--preset reference) =="
    "$bench" --threads "$t" --epochs "$epochs" | tee "$tmp/ref$t.txt"
    if [ "$have_torch" = 1 ]; then
        if [ "$t" = 1 ]; then
            torch_run 1 1
            best=$(field epoch_median_s "$tmp/torch_1_1.txt")
        else # its best setting on up to 2 cores, whichever it is
            torch_run 2 2
            torch_run 1 2
            for f in "$tmp/torch_2_2.txt" "$tmp/torch_1_2.txt"; do
                best=$(awk -v a="$best" -v b="$(field epoch_median_s "$f")" 'BEGIN { print (a < b ? a : b) }')
            done
        fi
        ours=$(epoch_of "$tmp/ref$t.txt")
        echo "threads $t: ours $ours s, PyTorch best $best s: PyTorch / ours = $(ratio "$best" "$ours")"
    fi
    echo "== threads $t: defaults =="
    "$bench" --threads "$t" --epochs "$epochs" --preset default | sed -n '1,4p'
done
[ "$have_torch" = 1 ] || echo "(PyTorch not installed: apt-get install python3-torch for the side-by-side figures)"

echo "== linear scaling: the full 60000-image training split, 1 thread, beside the reference set =="
"$bench" --threads 1 --epochs 3 | sed -n '1,2p' | tee "$tmp/small.txt"
"$bench" --threads 1 --epochs 2 --full | tee "$tmp/full.txt" | sed -n '1,2p'
small=$(epoch_of "$tmp/small.txt")
full=$(epoch_of "$tmp/full.txt")
echo "full / reference epoch: $(ratio "$full" "$small") (ideal 60000/6400 = 9.375; measured / ideal = $(ratio "$full" "$(awk -v s="$small" 'BEGIN { print s * 9.375 }')"))"
# The two runs are minutes apart; on a shared machine the load moves in
# between. Each epoch's ratio to the bound measured beside it cancels that.
echo "load-corrected: full epoch / its bound against reference epoch / its bound = $(ratio "$(field ratio "$tmp/full.txt")" "$(field ratio "$tmp/small.txt")") (ideal 1)"

echo "== peak RSS of rsrae train --preset reference (2 epochs) =="
"$build/tools/rsrae" train --preset reference --epochs 2 --quiet --out "$tmp/out" >"$tmp/train.txt" 2>/dev/null
grep -E "peak RSS|memory plan|training|inference" "$tmp/train.txt"
rss=$(field "peak RSS" "$tmp/train.txt")
budget=$(sed -n 's/^memory budget:.* = \([0-9.]*\) MiB/\1/p' "$tmp/ref1.txt")
echo "peak RSS / budget (data + parameters + gradients + AdamW state + arenas, $budget MiB) = $(ratio "$rss" "$budget")"
