# Runtime environment for every entry point (bin/ia, make test, make bench). Sourced, not executed.
# Why each setting (measured, see ../shared/reference/engine.md):
#  - OMP_WAIT_POLICY=passive: OpenMP spin-waiting fights Node's threads (2-thread step 18.6 ms -> 4.9 ms).
#  - jemalloc that never returns memory: fresh pages cost ~11 us per 4 KiB on these VMs; 1.6-1.9x faster steps.
#    Falls back to glibc malloc tunables with the same intent when jemalloc is not installed.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
_jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
if [[ -z "${IA_NO_JEMALLOC:-}" && -f $_jemalloc && "${LD_PRELOAD:-}" != *jemalloc* ]]; then
  export LD_PRELOAD="$_jemalloc${LD_PRELOAD:+:$LD_PRELOAD}"
  export MALLOC_CONF="${MALLOC_CONF:-dirty_decay_ms:-1,muzzy_decay_ms:-1}"
else
  export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296}"
fi
export IA_THREADS="${IA_THREADS:-$(nproc)}"
unset _jemalloc
