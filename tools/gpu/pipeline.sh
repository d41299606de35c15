#!/usr/bin/env bash
# The whole tiny-world pipeline on one CUDA GPU (population, IA SFT + DPO, benchmark), in one run on a device
# machine with PyTorch but no Node (bring .dev/ as for check.sh; see README.md here).
# Steps, each logged with its time:
#   1. the addon built against the machine's CUDA libtorch
#   2. a smoke run of the `test` preset on cuda (the device plumbing of every stage); stops here if it fails
#   3. `bin/ia bench --preset $PRESET --base $BASE --device cuda`, one IA seed at a time into the same run folder
#      (finished seeds and their sampled reports are reused), so a run cut short still leaves a complete benchmark
#      for the seeds it finished
#   4. with SUITE=ood: the OOD suite (`bin/ia bench --suite ood --preset $OOD_PRESET`) on that run's base and IAs, after
#      a smoke run of the OOD `test` preset on cuda. When the in-distribution run is already finished in the run folder
#      (a second call on a machine still warm), step 3 only reuses it, so the whole budget goes to the suite.
# The run's small artifacts (bench.{md,json,csv}, logs, groups, population manifest, IA done.json / metrics, sampled
# reports, DPO pairs, the IA adapters) come back as $OUT/run.tar.gz; checkpoints and organisms stay on the machine.
# Usage (repository root): OUT=/some/dir [PRESET=medium BASE=micro SEEDS="1 2 3" BUDGET_S=520] bash tools/gpu/pipeline.sh
#                          add SUITE=ood [OOD_PRESET=$PRESET] for the OOD suite; its ood/ folder comes back as $OUT/ood.tar.gz
# A base model carried in .cache/base/ is reused (its cache key covers the recipe, not the device).
set -u
OUT=${OUT:-/tmp/gpu-pipeline}
PRESET=${PRESET:-medium}
BASE=${BASE:-micro}
SEEDS=${SEEDS:-1 2 3}
BUDGET_S=${BUDGET_S:-520}
SUITE=${SUITE:-in-distribution}
OOD_PRESET=${OOD_PRESET:-$PRESET}
mkdir -p "$OUT"
exec > >(tee "$OUT/pipeline.log") 2>&1
start=$(date +%s)
left() { echo $((BUDGET_S - ($(date +%s) - start))); }
step() { echo; echo "=== $1 ($(date +%T), $(left) s left)"; }
step machine
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
nproc
source tools/gpu/node-env.sh

step build
FORCE=1 NODE_INC=.dev/node-include LIBTORCH=$TORCH_DIR TORCH_CXX11_ABI=$TORCH_ABI timeout 240 bash native/build.sh > "$OUT/build.log" 2>&1
rc=$?
tail -5 "$OUT/build.log"
[[ $rc == 0 ]] || { echo "build failed (rc $rc)"; exit 1; }
source scripts/env.sh

step "smoke: test preset on cuda"
timeout 120 bin/ia bench --preset test --device cuda --run /tmp/smoke-run --cache /tmp/smoke-cache > "$OUT/smoke.log" 2>&1
rc=$?
tail -25 "$OUT/smoke.log"
[[ $rc == 0 ]] || { echo "smoke failed (rc $rc)"; exit 1; }
if [[ $SUITE == ood ]]; then
    step "smoke: OOD test preset on cuda"
    timeout 180 bin/ia bench --suite ood --preset test --device cuda --run /tmp/smoke-run --cache /tmp/smoke-cache > "$OUT/smoke-ood.log" 2>&1
    rc=$?
    tail -15 "$OUT/smoke-ood.log"
    [[ $rc == 0 ]] || { echo "OOD smoke failed (rc $rc)"; exit 1; }
fi

run=runs/gpu-$PRESET-$BASE
pack() {
    (cd "$run" && find . -path './seed-*/ia-*/checkpoint' -prune -o -type f -print | tar -czf "$OUT/run.tar.gz" -T -)
    pop=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1])).get("populationDir",""))' "$run/config.json" 2>/dev/null)
    [[ -n $pop && -f $pop/manifest.json ]] && cp "$pop/manifest.json" "$OUT/population-manifest.json"
}
seeds=""
for s in $SEEDS; do
    seeds=${seeds:+$seeds,}$s
    step "bench --preset $PRESET --base $BASE --device cuda --seeds $seeds"
    t=$(left)
    [[ $t -gt 30 ]] || { echo "out of time"; break; }
    timeout "$t" bin/ia bench --preset "$PRESET" --base "$BASE" --device cuda --seeds "$seeds" --run "$run" --cache .cache >> "$OUT/bench.log" 2>&1
    rc=$?
    grep -E "^\[pipeline\]|organisms/min|held-out" "$OUT/bench.log" | tail -30
    echo "bench rc $rc"
    pack
    [[ $rc == 0 ]] || break
    cp "$run/bench/bench.md" "$OUT/bench.md"
done
if [[ $SUITE == ood && ${rc:-1} == 0 ]]; then
    step "bench --suite ood --preset $OOD_PRESET --device cuda"
    t=$(left)
    if [[ $t -gt 60 ]]; then
        # Organisms and audits resume from the ood/ folder, so a suite cut short continues on the next call.
        timeout "$t" bin/ia bench --suite ood --preset "$PRESET" --ood-preset "$OOD_PRESET" --base "$BASE" --device cuda --seeds "$seeds" --run "$run" --cache .cache > "$OUT/ood.log" 2>&1
        echo "ood rc $?"
        grep -E "^\[ood|verified|organisms/min" "$OUT/ood.log" | tail -30
        (cd "$run" && find ood -type f \( -name '*.md' -o -name '*.json' -o -name '*.csv' -o -name '*.log' \) -print | tar -czf "$OUT/ood.tar.gz" -T -)
        [[ -f $run/ood/ood.md ]] && cp "$run/ood/ood.md" "$OUT/ood.md"
    else
        echo "out of time for the OOD suite"
    fi
fi
step done
