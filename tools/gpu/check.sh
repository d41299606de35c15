#!/usr/bin/env bash
# The GPU checks, as one run on a CUDA machine with PyTorch 2.x + transformers + peft in its python3 and no Node or
# network (the project's device machines). Bring, in an ignored folder .dev/ (see tools/gpu/README.md):
#   .dev/node.xz          a Node >= 20 binary (xz)         .dev/node-include/  the N-API headers
#   .dev/node_modules/    the runtime node_modules (tsx, esbuild, yargs, @huggingface/*, node-addon-api)
# Steps (each logged, each with its own time limit; a failed step does not stop the next):
#   1. HF transformers + PEFT recompute the golden fixtures (tools/reference/model/hf_golden.py) -> $OUT/hf_golden.json
#   2. the addon built against that PyTorch's CUDA libtorch (native/build.sh with LIBTORCH), in parallel with 1
#   3. the golden log-prob tests on the GPU (IA_TEST_DEVICE=cuda)
#   4. bench/gpu.ts (ours) and bench/torch/hf_peft_gpu.py (transformers + PEFT) on the same GPU, same shapes
#   5. bench/organisms.ts on the GPU: a bank of per-row adapters vs one organism at a time (needs a base model folder
#      at $BASE_DIR)
# Usage (repository root): OUT=/some/dir BASE_DIR=.cache/base/<nano>/model bash tools/gpu/check.sh
set -u
OUT=${OUT:-/tmp/gpu-check}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu.log") 2>&1
step() { echo; echo "=== $1 ($(date +%T))"; }
step machine
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
nproc
source tools/gpu/node-env.sh
python3 -c 'import torch,transformers,peft;print("torch",torch.__version__,"cuda",torch.version.cuda,"transformers",transformers.__version__,"peft",peft.__version__)'
g++ --version | head -1

step "build (background) + hf golden"
( FORCE=1 NODE_INC=.dev/node-include LIBTORCH=$TORCH_DIR TORCH_CXX11_ABI=$TORCH_ABI timeout 240 bash native/build.sh > "$OUT/build.log" 2>&1; echo "build rc $?" >> "$OUT/build.log" ) &
build_pid=$!
PYTHONUNBUFFERED=1 timeout 150 python3 tools/reference/model/hf_golden.py --out "$OUT/hf_golden.json"
echo "hf_golden rc $?"
wait $build_pid
tail -30 "$OUT/build.log"

step "golden tests on cuda"
IA_TEST_DEVICE=cuda timeout 60 node --import tsx --test --test-reporter=spec test/model/golden.test.ts
echo "golden cuda rc $?"

step "bench ours (bench/gpu.ts)"
timeout 90 node --import tsx bench/gpu.ts | tee "$OUT/bench_ours.json"
step "bench transformers+peft (bench/torch/hf_peft_gpu.py)"
PYTHONUNBUFFERED=1 timeout 120 python3 bench/torch/hf_peft_gpu.py | tee "$OUT/bench_hf.json"

step "organisms on cuda"
timeout 90 node --import tsx bench/organisms.ts --device cuda --base "${BASE_DIR:-}"
step done
