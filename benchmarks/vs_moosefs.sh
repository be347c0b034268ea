#!/bin/bash
# ElkFS beside MooseFS 3 on this machine, in one run, through their FUSE mounts: the same
# workloads on both, medians of RUNS, and the ratio ElkFS / MooseFS (higher is better, except
# for times and bytes, where the ratio is written MooseFS / ElkFS so that > 1 still means
# ElkFS wins).
#
#   benchmarks/vs_moosefs.sh            (after `cmake --build --preset release`)
#
# Env: SIZE_MIB (1024) file size for dd; FILES (10000) for create/stat/unlink and the tree
# snapshot; MEM_FILES (100000) files to weigh the master's memory per file; RUNS (3);
# FIO_MIB (256), FIO_SECONDS (15): fio 4 KiB random read/write, 4 jobs, on a goal-2 file;
# DD_TABLE ("1 5 20 50 100 200 500 1024 2048" MiB; empty: skip) for the classic dd table;
# WORK (/tmp/elk-vs-moosefs); ELKFS_PORT_BASE (19400), MFS_PORT_BASE (29400);
# CHANGELOG_SYNC (1): ElkFS's master fdatasyncs its changelog before it answers a metadata
# change; MooseFS never does. CHANGELOG_SYNC=0 compares at MooseFS's durability (an answered
# change survives a crash of the master process, not of its machine).
# Both clusters: one master and three chunkservers on 127.0.0.1, default mount options.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${ELKFS_BIN:-$ROOT/build/release/bin}
METAOPS=${METAOPS:-$ROOT/build/release/benchmarks/metaops}
SIZE_MIB=${SIZE_MIB:-1024} FILES=${FILES:-10000} MEM_FILES=${MEM_FILES:-100000} RUNS=${RUNS:-3}
FIO_MIB=${FIO_MIB:-256} FIO_SECONDS=${FIO_SECONDS:-15}
DD_TABLE=${DD_TABLE-1 5 20 50 100 200 500 1024 2048}
WORK=${WORK:-/tmp/elk-vs-moosefs}
export ELKFS_PORT_BASE=${ELKFS_PORT_BASE:-19400} MFS_PORT_BASE=${MFS_PORT_BASE:-29400}
[ "$(id -u)" = 0 ] || { echo "vs_moosefs: run as root (mounts, drop_caches)" >&2; exit 2; }
for p in "$BIN/mfsmaster" "$BIN/mfsmount" "$BIN/mfssetgoal" "$METAOPS"; do
  [ -x "$p" ] || { echo "vs_moosefs: $p is not built (cmake --build --preset release)" >&2; exit 2; }
done

stop_all() {
  ELKFS_DEMO_DIR=$WORK/elk ELKFS_BIN=$BIN scripts/demo.sh stop >/dev/null 2>&1 || true
  benchmarks/moosefs_peer.sh down "$WORK/moosefs" || true
}
trap stop_all EXIT
rm -rf "$WORK"; mkdir -p "$WORK"
CHANGELOG_SYNC=${CHANGELOG_SYNC:-1}
ELKFS_MASTER_CFG_EXTRA="CHANGELOG_SYNC = $CHANGELOG_SYNC" ELKFS_DEMO_DIR=$WORK/elk ELKFS_BIN=$BIN \
  ELKFS_DEMO_SKIP_BUILD=1 scripts/demo.sh start >/dev/null
benchmarks/moosefs_peer.sh up "$WORK/moosefs"

declare -A MNT=([elk]=$WORK/elk/mnt [mfs]=$WORK/moosefs/mnt)
declare -A TOOLS=([elk]=$BIN [mfs]=/usr/bin)
declare -A MASTER_PID=([elk]=$(cat "$WORK/elk/master.pid") [mfs]=$(cat "$WORK/moosefs/run/master.pid"))
declare -A FIG
SRC=/dev/shm/elk-vs-moosefs.src
head -c $((SIZE_MIB << 20)) /dev/urandom >"$SRC"
trap 'rm -f "$SRC"; stop_all' EXIT

now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rate() { awk -v s="$1" -v t0="$2" -v t1="$3" 'BEGIN {printf "%.1f", s / (t1 - t0)}'; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

prepare() {  # fs: folders at goal 1 and 2, trash time 0 so deletes free at once
  local m=${MNT[$1]} t=${TOOLS[$1]}
  mkdir -p "$m/g1" "$m/g2" "$m/meta"
  "$t/mfssetgoal" 1 "$m/g1" >/dev/null; "$t/mfssetgoal" 2 "$m/g2" >/dev/null
  "$t/mfssettrashtime" -r 0 "$m" >/dev/null
}

dd_pass() {  # fs goal run -> records write and read MiB/s
  local fs=$1 g=$2 f=${MNT[$1]}/g$2/big t0 t1
  rm -f "$f"; sync
  t0=$(now); dd if="$SRC" of="$f" bs=1M conv=fsync status=none; t1=$(now)
  FIG[$fs.w$g.$3]=$(rate "$SIZE_MIB" "$t0" "$t1")
  echo 3 >/proc/sys/vm/drop_caches
  t0=$(now); dd if="$f" of=/dev/null bs=1M status=none; t1=$(now)
  FIG[$fs.r$g.$3]=$(rate "$SIZE_MIB" "$t0" "$t1")
  if [ "$3" = 1 ]; then  # a fast wrong answer does not count
    cmp -s "$SRC" "$f" || { echo "vs_moosefs: $fs goal $g: data read back differs" >&2; exit 1; }
  fi
}

meta_pass() {  # fs run -> create/stat/unlink per second
  # The dd before leaves gigabytes of chunk data for the kernel to write back; an ElkFS
  # master's changelog fdatasync would wait behind it (MooseFS does not sync). Each
  # workload is measured on its own.
  sync
  local out; out=$("$METAOPS" "${MNT[$1]}/meta/r$2" "$FILES")
  read -r _ c _ s _ u <<<"$out"
  FIG[$1.create.$2]=${c%/s}; FIG[$1.stat.$2]=${s%/s}; FIG[$1.unlink.$2]=${u%/s}
}

ms_of() {  # command... -> milliseconds it took
  local t0 t1; t0=$(now); "$@" >/dev/null; t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) * 1000}'
}

snapshot_pass() {  # fs -> median ms of 3 snapshots of a SIZE_MIB file and of a FILES-file tree
  local m=${MNT[$1]} t=${TOOLS[$1]} file=() tree=()
  "$METAOPS" "$m/tree" "$FILES" --keep >/dev/null
  sync
  for i in 1 2 3; do
    file+=("$(ms_of "$t/mfsmakesnapshot" "$m/g1/big" "$m/big.snap$i")")
    tree+=("$(ms_of "$t/mfsmakesnapshot" "$m/tree" "$m/tree.snap$i")")
  done
  FIG[$1.snapfile]=$(median "${file[@]}"); FIG[$1.snaptree]=$(median "${tree[@]}")
}

fio_pass() {  # fs run -> 4 KiB random read and write IOPS on a FIO_MIB file at goal 2
  local f=${MNT[$1]}/g2/fio.dat out
  for rw in randwrite randread; do
    echo 3 >/proc/sys/vm/drop_caches
    out=$(fio --name=r --filename="$f" --size="${FIO_MIB}M" --bs=4k --rw=$rw --ioengine=psync \
      --numjobs=4 --group_reporting --time_based --runtime="$FIO_SECONDS" --output-format=terse \
      --terse-version=3)
    # terse v3: field 8 is read IOPS, field 49 write IOPS
    FIG[$1.$rw.$2]=$(awk -F';' -v rw=$rw '{print (rw == "randread") ? $8 : $49}' <<<"$out")
  done
}

dd_table_pass() {  # fs -> the classic MooseFS dd table: seconds to write and read each size
  local m=${MNT[$1]} g n f t0 t1
  for g in 1 2; do
    for n in $DD_TABLE; do
      f=$m/g$g/dd$n; rm -f "$f"; sync
      t0=$(now); dd if=/dev/zero of="$f" bs=1024k count="$n" status=none; sync "$f"; t1=$(now)
      FIG[$1.ddw$g.$n]=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
      echo 3 >/proc/sys/vm/drop_caches
      t0=$(now); dd if="$f" of=/dev/null status=none; t1=$(now)
      FIG[$1.ddr$g.$n]=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
      rm -f "$f"
    done
  done
}

memory_pass() {  # fs -> master's resident bytes per file
  local p=${MASTER_PID[$1]} before after
  before=$(rss_kib "$p")
  "$METAOPS" "${MNT[$1]}/mem" "$MEM_FILES" --keep >/dev/null
  sleep 1; after=$(rss_kib "$p")
  FIG[$1.mem]=$(awk -v a="$before" -v b="$after" -v n="$MEM_FILES" 'BEGIN {printf "%.0f", (b - a) * 1024 / n}')
}

for fs in elk mfs; do prepare "$fs"; done
for run in $(seq 1 "$RUNS"); do
  for fs in elk mfs; do  # interleaved, so drift of the machine hits both alike
    for g in 1 2; do dd_pass "$fs" "$g" "$run"; done
    meta_pass "$fs" "$run"
    fio_pass "$fs" "$run"
  done
done
for fs in elk mfs; do snapshot_pass "$fs"; memory_pass "$fs"; done
if [ -n "$DD_TABLE" ]; then for fs in elk mfs; do dd_table_pass "$fs"; done; fi

med() { local fs=$1 k=$2 v=(); for r in $(seq 1 "$RUNS"); do v+=("${FIG[$fs.$k.$r]}"); done; median "${v[@]}"; }
row() {  # label elk mfs higher-is-better(1|0)
  awk -v l="$1" -v e="$2" -v m="$3" -v hi="$4" 'BEGIN {
    r = hi ? e / m : m / e; printf "| %-30s | %12s | %12s | %6.2fx |\n", l, e, m, r }'
}
echo
echo "ElkFS vs MooseFS 3, same machine, same run ($(nproc) cores, medians of $RUNS; ratio > 1: ElkFS better)"
echo "ElkFS master: CHANGELOG_SYNC = $CHANGELOG_SYNC; both: 1 master + 3 chunkservers on 127.0.0.1, default mounts"
echo "| workload                       |        ElkFS |      MooseFS |  ratio |"
echo "| ------------------------------ | ------------ | ------------ | ------ |"
for g in 1 2; do
  row "dd write ${SIZE_MIB} MiB goal $g (MiB/s)" "$(med elk w$g)" "$(med mfs w$g)" 1
  row "dd read ${SIZE_MIB} MiB goal $g (MiB/s)" "$(med elk r$g)" "$(med mfs r$g)" 1
done
for rw in randread randwrite; do
  row "fio 4 KiB $rw goal 2 (IOPS)" "$(med elk $rw)" "$(med mfs $rw)" 1
done
for op in create stat unlink; do
  row "$op $FILES files (/s)" "$(med elk $op)" "$(med mfs $op)" 1
done
row "snapshot ${SIZE_MIB} MiB file (ms)" "${FIG[elk.snapfile]}" "${FIG[mfs.snapfile]}" 0
row "snapshot $FILES-file tree (ms)" "${FIG[elk.snaptree]}" "${FIG[mfs.snaptree]}" 0
row "master RSS per file (bytes)" "${FIG[elk.mem]}" "${FIG[mfs.mem]}" 0
if [ -n "$DD_TABLE" ]; then
  echo
  echo "The classic table: dd if=/dev/zero of=FILE bs=1024k count=N (then sync FILE), and"
  echo "dd if=FILE of=/dev/null after dropping caches; seconds, lower is better"
  echo "| size | copies | ElkFS write | MooseFS write | ElkFS read | MooseFS read |"
  echo "| ---- | ------ | ----------- | ------------- | ---------- | ------------ |"
  for g in 1 2; do
    for n in $DD_TABLE; do
      label=$([ "$n" -ge 1024 ] && echo "$((n / 1024))G" || echo "${n}M")
      printf '| %4s | %6s | %11s | %13s | %10s | %12s |\n' "$label" "$g" "${FIG[elk.ddw$g.$n]}" \
        "${FIG[mfs.ddw$g.$n]}" "${FIG[elk.ddr$g.$n]}" "${FIG[mfs.ddr$g.$n]}"
    done
  done
fi
