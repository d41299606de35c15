#!/usr/bin/env bash
# Idempotent setup on Debian 12 with Node 20: system packages, BLAS alternative, npm packages, native addon.
# Every step checks before it acts, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [[ $(id -u) != 0 ]] && SUDO="sudo"
pkgs=(libtorch-dev libopenblas0-openmp libjemalloc2 g++ make chromium)
# `setup.sh --bench`: also the PyTorch eager baseline that `make bench` compares against (Debian's python3-torch).
[[ "${1:-}" == "--bench" ]] && pkgs+=(python3-torch python3-numpy)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if (( ${#missing[@]} )); then
  echo "setup: installing ${missing[*]} (Debian, ~2 min)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's libtorch links the generic libblas.so.3; without this the reference BLAS (30-50x slower) is used.
blas=/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3
lapack=/usr/lib/x86_64-linux-gnu/openblas-openmp/liblapack.so.3
if [[ "$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu)" != "$blas" ]]; then
  $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu "$blas"
  $SUDO update-alternatives --set liblapack.so.3-x86_64-linux-gnu "$lapack"
fi
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
bash native/build.sh
