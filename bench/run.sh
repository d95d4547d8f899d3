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

for t in 1 2; do
    echo "== threads $t: reference experiment (--preset reference) =="
    "$bench" --threads "$t" --epochs "$epochs" | tee "$tmp/ref$t.txt"
    echo "== threads $t: defaults =="
    "$bench" --threads "$t" --epochs "$epochs" --preset default | sed -n '1,3p'
done

echo "== linear scaling: the full 60000-image training split, 1 thread =="
"$bench" --threads 1 --epochs 2 --full | tee "$tmp/full.txt" | sed -n '1,2p'
small=$(epoch_of "$tmp/ref1.txt")
full=$(epoch_of "$tmp/full.txt")
echo "full / reference epoch: $(ratio "$full" "$small") (ideal 60000/6400 = 9.375; measured / ideal = $(ratio "$full" "$(awk -v s="$small" 'BEGIN { print s * 9.375 }')"))"

echo "== peak RSS of rsrae train --preset reference (2 epochs) =="
"$build/tools/rsrae" train --preset reference --epochs 2 --quiet --out "$tmp/out" >"$tmp/train.txt" 2>/dev/null
grep -E "peak RSS|memory plan|training|inference" "$tmp/train.txt"
rss=$(field "peak RSS" "$tmp/train.txt")
budget=$(sed -n 's/^memory budget:.* = \([0-9.]*\) MiB/\1/p' "$tmp/ref1.txt")
echo "peak RSS / budget (data + parameters + gradients + AdamW state + arenas, $budget MiB) = $(ratio "$rss" "$budget")"

if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    for setting in "1 1" "2 2" "1 2"; do
        set -- $setting
        echo "== PyTorch: torch threads $1, OpenBLAS threads $2 =="
        /usr/bin/python3 "$top/bench/torch_rsrae.py" --threads "$1" --blas-threads "$2" --epochs "$epochs" \
            | tail -1 | tee "$tmp/torch_$1_$2.txt"
    done
    for t in 1 2; do
        ours=$(epoch_of "$tmp/ref$t.txt")
        best=$(field epoch_median_s "$tmp/torch_1_$t.txt")
        if [ "$t" = 2 ]; then # its best setting on up to 2 cores, whichever it is
            for f in "$tmp/torch_1_1.txt" "$tmp/torch_2_2.txt"; do
                best=$(awk -v a="$best" -v b="$(field epoch_median_s "$f")" 'BEGIN { print (a < b ? a : b) }')
            done
        fi
        echo "threads $t: ours $ours s, PyTorch best $best s: PyTorch / ours = $(ratio "$best" "$ours")"
    done
else
    echo "(PyTorch not installed: apt-get install python3-torch for the side-by-side figures)"
fi
