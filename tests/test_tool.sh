#!/bin/sh
# test_tool.sh - the rsrae program end to end: train -> model.bin -> score
# gives the same scores; bad input fails with a message naming the file and
# line and leaves no output behind; the reference run writes every file.
set -u
RSRAE=${RSRAE:-./tools/rsrae}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok: $1"; }
bad() { failed=$((failed + 1)); echo "FAIL: $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# 240 rows: class 0 lies near a line in 6-D, classes 1 and 2 off it.
awk 'BEGIN { srand(7); print "f1,f2,f3,f4,f5,f6,label";
  for (i = 0; i < 240; i++) { c = i < 200 ? 0 : (i < 220 ? 1 : 2); t = rand() * 4 - 2;
    for (j = 1; j <= 6; j++) { v = (c == 0 ? t * j / 6 : (rand() * 4 - 2)) + 0.05 * (rand() - 0.5);
      printf "%.5f,", v }
    print (c == 0 ? "normal" : (c == 1 ? "odd" : "weird")) } }' > "$tmp/tiny.csv"

opts="--data $tmp/tiny.csv --label-column label --inlier-class normal --epochs 20 --batch-size 16 --hidden 6,4 --embed-dim 4 --latent-dim 2 --a-init orthogonal --lr 0.01 --seed 3 --quiet"
$RSRAE train $opts --out "$tmp/out" > "$tmp/train.txt" 2>&1
check "train exits 0" "[ $? -eq 0 ]"
check "train reports the selection" "grep -q 'Inliers: 200  Outliers: 40' '$tmp/train.txt'"
for f in scores.csv model.bin summary.json errors_hist.png latent_pca.png losses.png; do
    check "train writes $f" "[ -s '$tmp/out/$f' ]"
done
check "no temporary files remain" "[ -z \"\$(ls '$tmp/out' | grep tmp)\" ]"
check "scores.csv header" "head -1 '$tmp/out/scores.csv' | grep -qx 'index,label,outlier,score,rank'"
check "scores.csv has a row per sample" "[ \$(wc -l < '$tmp/out/scores.csv') -eq 241 ]"
check "summary.json has the metrics" "grep -q '\"auc\": [01]' '$tmp/out/summary.json' && grep -q lower_bound_bytes '$tmp/out/summary.json'"
auc=$(sed -n 's/.*"auc": \([0-9.]*\).*/\1/p' "$tmp/out/summary.json")
check "outliers off the line are found (AUC $auc > 0.9)" "awk 'BEGIN { exit !($auc > 0.9) }'"

$RSRAE score --model "$tmp/out/model.bin" --data "$tmp/tiny.csv" --label-column label \
    --inlier-class normal --out "$tmp/scored.csv" > "$tmp/score.txt" 2>&1
check "score exits 0" "[ $? -eq 0 ]"
check "score reproduces the training scores exactly" "cmp -s '$tmp/out/scores.csv' '$tmp/scored.csv'"

# One seed, one thread count: the same model bit for bit (2 threads: the pool).
$RSRAE train $opts --threads 2 --out "$tmp/r1" > /dev/null 2>&1
$RSRAE train $opts --threads 2 --out "$tmp/r2" > /dev/null 2>&1
check "two runs with one seed and 2 threads give identical models" "cmp -s '$tmp/r1/model.bin' '$tmp/r2/model.bin'"
$RSRAE train $(echo "$opts" | sed 's/--seed 3/--seed 4/') --threads 2 --out "$tmp/r3" > /dev/null 2>&1
check "another seed gives another model" "! cmp -s '$tmp/r1/model.bin' '$tmp/r3/model.bin'"

# --eval-every: the history ends with the final model's metrics.
$RSRAE train $opts --eval-every 5 --out "$tmp/ev" > /dev/null 2>&1
check "--eval-every records every 5th epoch" "[ \$(grep -o '\"epoch\": [0-9]*' '$tmp/ev/summary.json' | wc -l) -eq 4 ]"
last=$(sed -n 's/.*{"epoch": 20, "auc": \([0-9.]*\).*/\1/p' "$tmp/ev/summary.json")
final=$(sed -n 's/^  "auc": \([0-9.]*\),/\1/p' "$tmp/ev/summary.json")
check "last evaluation equals the final AUC ($last = $final)" "[ -n '$last' ] && [ '$last' = '$final' ]"
$RSRAE train --data "$tmp/tiny.csv" --label-column label --epochs 1 --batch-size 16 --eval-every 1 --out "$tmp/ev2" > "$tmp/err.txt" 2>&1
check "--eval-every without ground truth is refused" "[ $? -ne 0 ] && grep -q 'eval-every' '$tmp/err.txt'"

# Bad input: a ragged row. The message names the file and line; nothing is written.
sed '5s/,[^,]*$//' "$tmp/tiny.csv" > "$tmp/ragged.csv"
$RSRAE train --data "$tmp/ragged.csv" --label-column label --out "$tmp/out2" > "$tmp/err.txt" 2>&1
check "ragged CSV exits non-zero" "[ $? -ne 0 ]"
check "ragged CSV message names file and line" "grep -q 'ragged.csv.*5' '$tmp/err.txt'"
check "ragged CSV leaves no output" "[ ! -e '$tmp/out2' ]"
$RSRAE train --data "$tmp/missing.csv" --out "$tmp/out3" > "$tmp/err.txt" 2>&1
check "missing file exits non-zero" "[ $? -ne 0 ] && grep -q missing.csv '$tmp/err.txt'"
$RSRAE train --epochs nine --out "$tmp/out4" > "$tmp/err.txt" 2>&1
check "bad option value exits non-zero" "[ $? -ne 0 ] && grep -q -- '--epochs' '$tmp/err.txt'"
printf 'corrupt' > "$tmp/bad.bin"
$RSRAE score --model "$tmp/bad.bin" --data "$tmp/tiny.csv" --out "$tmp/x.csv" > "$tmp/err.txt" 2>&1
check "corrupt model exits non-zero" "[ $? -ne 0 ] && grep -q bad.bin '$tmp/err.txt' && [ ! -e '$tmp/x.csv' ]"
$RSRAE train --help | grep -q -- '--latent-dim d .*default: 10'
check "train --help lists options with defaults" "[ $? -eq 0 ]"

# The reference data set, one epoch: every picture is written.
if [ -d /usr/share/datasets/fashion-mnist ]; then
    $RSRAE train --epochs 1 --quiet --out "$tmp/fm" > "$tmp/fm.txt" 2>&1
    check "Fashion-MNIST run exits 0" "[ $? -eq 0 ]"
    check "reference selection" "grep -q 'Inliers: 6000  Outliers: 400' '$tmp/fm.txt'"
    for f in recon_random.png recon_highest.png recon_lowest.png errors_hist.png latent_pca.png; do
        check "Fashion-MNIST run writes $f" "[ -s '$tmp/fm/$f' ]"
    done
else
    echo "skip: /usr/share/datasets/fashion-mnist not installed"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
