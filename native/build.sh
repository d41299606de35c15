#!/usr/bin/env bash
# Builds the native addon with g++ (no node-gyp: it needs no Python and runs offline).
#   default:      Debian's libtorch-dev (1.13, CPU): headers in /usr/include, libs in /usr/lib/x86_64-linux-gnu
#   LIBTORCH=dir: a PyTorch 2.x libtorch (e.g. $(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')),
#                 with CUDA libraries linked when present. TORCH_CXX11_ABI=0|1 must match that build
#                 (python3 -c 'import torch;print(int(torch.compiled_with_cxx11_abi()))'); default 1.
# Rebuilds only when a source file is newer than the output.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/native/ia_native.node
srcs=(native/src/*.cc)
if [[ -f $out && -z "${FORCE:-}" ]]; then
  stale=0
  for f in "${srcs[@]}" native/src/*.h native/build.sh; do [[ $f -nt $out ]] && stale=1; done
  [[ $stale == 0 ]] && { echo "native: up to date ($out)"; exit 0; }
fi
mkdir -p build/native
NAPI_INC=node_modules/node-addon-api
NODE_INC=${NODE_INC:-$(node -p "require('path').resolve(process.execPath, '../../include/node')")}
[[ -f $NODE_INC/node_api.h ]] || NODE_INC=/usr/include/node
abi=${TORCH_CXX11_ABI:-1}
if [[ -n "${LIBTORCH:-}" ]]; then
  inc=(-I"$LIBTORCH/include" -I"$LIBTORCH/include/torch/csrc/api/include")
  libdir="$LIBTORCH/lib"
  libs=(-ltorch -ltorch_cpu -lc10)
  [[ -f $libdir/libtorch_cuda.so ]] && libs+=(-ltorch_cuda -lc10_cuda)
else
  inc=(-I/usr/include/torch/csrc/api/include)
  libdir=/usr/lib/x86_64-linux-gnu
  libs=(-ltorch -ltorch_cpu -lc10)
fi
objs=()
pids=()
for f in "${srcs[@]}"; do
  o=build/native/$(basename "${f%.cc}").o
  objs+=("$o")
  g++ -c -O2 -fPIC -std=c++17 -fexceptions -frtti -D_GLIBCXX_USE_CXX11_ABI=$abi -DNAPI_CPP_EXCEPTIONS \
    -Wno-deprecated-declarations -I"$NAPI_INC" -I"$NODE_INC" "${inc[@]}" "$f" -o "$o" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || { echo "native: compile failed" >&2; exit 1; }; done
g++ -shared -o "$out.tmp" "${objs[@]}" -L"$libdir" -Wl,--no-as-needed "${libs[@]}" -Wl,--as-needed -Wl,-rpath,"$libdir"
mv "$out.tmp" "$out"
echo "native: built $out"
