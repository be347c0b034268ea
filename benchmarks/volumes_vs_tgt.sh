#!/bin/bash
# A VM's disk three ways on this machine, in one run, with the same fio workloads:
#   elk        mfsiscsid serving an ElkFS volume (chunks straight from the chunkservers)
#   tgt+elk    tgt serving a file on an ElkFS FUSE mount
#   tgt+mfs    tgt serving a file on a MooseFS FUSE mount - how operators do it today
# fio reaches each target as QEMU does, through QEMU's iSCSI driver (qemu-nbd in between,
# the same for all three). Printed: MiB/s and IOPS per workload, and the ratios of elk to
# the other two (higher is better). Target: elk at least 2x tgt+mfs. A second table runs
# the same four workloads through qemu-img bench, QEMU's iSCSI driver with nothing else in
# the way: on a small machine the fio/nbd hop takes most of the CPU and hides the target.
#
#   benchmarks/volumes_vs_tgt.sh        (after `cmake --build --preset release`, as root)
#
# Env: SIZE (1G) volume size, RUNTIME (10) seconds per workload, GOAL (2), THIN (1: the
# volume thin-provisioned, mfsiscsid's default; QEMU then asks GET LBA STATUS once per
# chunk it has not seen; 0 offers the volume fully provisioned, without UNMAP), READ_CACHE
# (1GiB, mfsiscsid's READ_CACHE_SIZE; 0 reads every block from a chunkserver), WORK
# (/tmp/elk-volumes-bench), ELKFS_PORT_BASE (19500), MFS_PORT_BASE (29500);
# qemu-img bench request counts: BENCH_SMALL_READS (100000), BENCH_SMALL_WRITES (15000),
# BENCH_LARGE (1024).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${ELKFS_BIN:-$ROOT/build/release/bin}
SIZE=${SIZE:-1G} RUNTIME=${RUNTIME:-10} GOAL=${GOAL:-2} THIN=${THIN:-1} READ_CACHE=${READ_CACHE:-1GiB}
BENCH_SMALL_READS=${BENCH_SMALL_READS:-100000} BENCH_SMALL_WRITES=${BENCH_SMALL_WRITES:-15000}
BENCH_LARGE=${BENCH_LARGE:-1024}
WORK=${WORK:-/tmp/elk-volumes-bench}
export ELKFS_PORT_BASE=${ELKFS_PORT_BASE:-19500} MFS_PORT_BASE=${MFS_PORT_BASE:-29500}
ISCSI_PORT=$((ELKFS_PORT_BASE + 60)) TGT_ELK_PORT=$((ELKFS_PORT_BASE + 61)) TGT_MFS_PORT=$((ELKFS_PORT_BASE + 62))
[ "$(id -u)" = 0 ] || { echo "volumes_vs_tgt: run as root" >&2; exit 2; }
for t in fio qemu-nbd tgtd tgtadm; do command -v $t >/dev/null || { echo "volumes_vs_tgt: $t missing (scripts/deps.sh)" >&2; exit 2; }; done
for p in mfsmaster mfsiscsid mfsvolume mfssetgoal; do
  [ -x "$BIN/$p" ] || { echo "volumes_vs_tgt: $BIN/$p is not built" >&2; exit 2; }
done

PIDS=() TGT_PIDS=()
stop_all() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  # tgtd ignores SIGTERM while it serves targets.
  for p in "${TGT_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  sleep 0.5
  ELKFS_DEMO_DIR=$WORK/elk ELKFS_BIN=$BIN scripts/demo.sh stop >/dev/null 2>&1 || true
  benchmarks/moosefs_peer.sh down "$WORK/moosefs" >/dev/null 2>&1 || true
}
trap stop_all EXIT
rm -rf "$WORK"; mkdir -p "$WORK"
ELKFS_DEMO_DIR=$WORK/elk ELKFS_BIN=$BIN ELKFS_DEMO_SKIP_BUILD=1 scripts/demo.sh start >/dev/null
benchmarks/moosefs_peer.sh up "$WORK/moosefs" >/dev/null
wait_port() { for _ in $(seq 1 150); do ss -ltn "sport = :$1" | grep -q LISTEN && return 0; sleep 0.1; done; return 1; }

# elk: mfsiscsid and a volume.
mkdir -p "$WORK/iscsid"
cat >"$WORK/iscsid/mfsiscsid.cfg" <<EOC
DATA_PATH = $WORK/iscsid
WORKING_USER = root
MASTER_HOST = 127.0.0.1
MASTER_PORT = $((ELKFS_PORT_BASE + 21))
ISCSI_LISTEN_HOST = 127.0.0.1
ISCSI_LISTEN_PORT = $ISCSI_PORT
THIN_PROVISIONING = $THIN
READ_CACHE_SIZE = $READ_CACHE
EOC
nohup "$BIN/mfsiscsid" -f -c "$WORK/iscsid/mfsiscsid.cfg" >"$WORK/iscsid.log" 2>&1 </dev/null &
PIDS+=($!)
wait_port $ISCSI_PORT
VOL=("$BIN/mfsvolume" -H 127.0.0.1 -P $((ELKFS_PORT_BASE + 21)) -S "$WORK/iscsid/mfsiscsid.sock" -g "$GOAL")
"${VOL[@]}" create bench "$SIZE" >/dev/null
"${VOL[@]}" export bench >/dev/null
declare -A URL=([elk]="iscsi://127.0.0.1:$ISCSI_PORT/iqn.2026-11.org.elkfs:volume-bench/0")

# tgt over each FUSE mount, a file of the same size at the same goal.
tgt_over() {  # name port mountpoint setgoal-tool
  local name=$1 port=$2 mnt=$3 setgoal=$4
  local ctl=$((port % 1000 + 100))
  mkdir -p "$mnt/tgt"; "$setgoal" "$GOAL" "$mnt/tgt" >/dev/null
  truncate -s "$SIZE" "$mnt/tgt/disk.img"
  nohup tgtd -f --iscsi portal=127.0.0.1:$port -C $ctl >"$WORK/tgtd-$name.log" 2>&1 </dev/null &
  TGT_PIDS+=($!)
  wait_port "$port"
  tgtadm -C $ctl --lld iscsi --op new --mode target --tid 1 -T "iqn.2026-11.bench:${name/+/-}"
  tgtadm -C $ctl --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$mnt/tgt/disk.img"
  tgtadm -C $ctl --lld iscsi --op bind --mode target --tid 1 -I ALL
  URL[$name]="iscsi://127.0.0.1:$port/iqn.2026-11.bench:${name/+/-}/1"
}
tgt_over tgt+elk $TGT_ELK_PORT "$WORK/elk/mnt" "$BIN/mfssetgoal"
tgt_over tgt+mfs $TGT_MFS_PORT "$WORK/moosefs/mnt" /usr/bin/mfssetgoal

declare -A BW IOPS
WORKLOADS=("randread 4k" "randwrite 4k" "read 1M" "write 1M")
run_fio() {  # target
  local t=$1 sock=$WORK/nbd-$1.sock
  qemu-nbd -f raw --socket="$sock" --persistent --shared=8 --cache=none "${URL[$t]}" \
    >"$WORK/nbd-$t.log" 2>&1 &
  local nbd=$!
  PIDS+=($nbd)
  for _ in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.1; done
  # Lay the data down first so reads read written blocks, on every target alike.
  fio --name=fill --ioengine=nbd --uri="nbd+unix:///?socket=$sock" --rw=write --bs=1M \
    --size="$SIZE" --iodepth=8 >/dev/null
  for w in "${WORKLOADS[@]}"; do
    set -- $w
    local out=$WORK/fio-$t-$1-$2.json
    fio --name=b --ioengine=nbd --uri="nbd+unix:///?socket=$sock" --rw="$1" --bs="$2" \
      --size="$SIZE" --iodepth=16 --time_based --runtime="$RUNTIME" --output-format=json \
      --output="$out" >"$out.err" 2>&1 || { cat "$out.err" "$out" >&2; exit 1; }
    local bw iops
    read -r bw iops < <(python3 - "$out" <<'EOP'
import json, sys
text = open(sys.argv[1]).read()
j = json.loads(text[text.index('{'):])['jobs'][0]
print('%.1f %.0f' % ((j['read']['bw'] + j['write']['bw']) / 1024, j['read']['iops'] + j['write']['iops']))
EOP
)
    BW[$t.$1-$2]=$bw IOPS[$t.$1-$2]=$iops
  done
  kill $nbd; wait $nbd 2>/dev/null || true
}
# The same targets through QEMU's block layer alone (qemu-img bench: libiscsi, no nbd hop
# and no fio in between), so more of the machine is left to the target. A fixed count of
# requests; 4 KiB requests are scattered (each a golden-ratio step of the volume's size
# from the last, wrapping, so they visit every chunk in turn), 1 MiB ones sequential.
declare -A QB
BENCHES=("read 4k $BENCH_SMALL_READS" "write 4k $BENCH_SMALL_WRITES" "read 1M $BENCH_LARGE" "write 1M $BENCH_LARGE")
run_bench() {  # target
  local t=$1 bytes step
  bytes=$(numfmt --from=iec "$SIZE")
  step=$(( (bytes * 618 / 1000) / 4096 * 4096 + 4096 ))
  for b in "${BENCHES[@]}"; do
    set -- $b
    local bs flags=() s
    bs=$(numfmt --from=iec "${2^^}")
    [ "$1" = write ] && flags=(-w)
    s=$([ "$2" = 4k ] && echo "$step" || echo "$bs")
    local out
    out=$(qemu-img bench "${flags[@]}" -f raw -t none -c "$3" -d 16 -s "$bs" -S "$s" "${URL[$t]}" 2>&1) ||
      { echo "$out" >&2; exit 1; }
    local secs
    secs=$(sed -n 's/^Run completed in \([0-9.]*\) seconds.*/\1/p' <<<"$out")
    QB[$t.$1-$2]=$(awk -v c="$3" -v s="$secs" -v b="$bs" 'BEGIN {printf "%.1f %.0f", c * b / s / 1048576, c / s}')
  done
}
for t in elk tgt+elk tgt+mfs; do run_fio $t; run_bench $t; done

echo "volumes through iSCSI, $SIZE at goal $GOAL (elk thin-provisioned: $THIN, read cache: $READ_CACHE), fio iodepth 16 for ${RUNTIME}s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-14s %16s %16s %16s %10s %10s\n' workload elk tgt+elk tgt+mfs elk/t+elk elk/t+mfs
for w in "${WORKLOADS[@]}"; do
  printf '%-14s' "$w"
  w=${w/ /-}
  for t in elk tgt+elk tgt+mfs; do printf ' %8s MiB/s %5s' "${BW[$t.$w]}" ""; done | sed 's/  *$//'
  printf ' %10s %10s\n' \
    "$(awk -v a="${BW[elk.$w]}" -v b="${BW[tgt+elk.$w]}" 'BEGIN {printf "%.2fx", a / b}')" \
    "$(awk -v a="${BW[elk.$w]}" -v b="${BW[tgt+mfs.$w]}" 'BEGIN {printf "%.2fx", a / b}')"
done
for w in randread-4k randwrite-4k; do
  echo "IOPS $w: elk ${IOPS[elk.$w]}, tgt+elk ${IOPS[tgt+elk.$w]}, tgt+mfs ${IOPS[tgt+mfs.$w]}"
done

echo
echo "the same through qemu-img bench (QEMU's iSCSI driver alone, iodepth 16; 4k scattered, 1M sequential)"
printf '%-14s %16s %16s %16s %10s %10s\n' workload elk tgt+elk tgt+mfs elk/t+elk elk/t+mfs
for b in "${BENCHES[@]}"; do
  set -- $b
  w=$1-$2
  printf '%-14s' "$1 $2"
  for t in elk tgt+elk tgt+mfs; do printf ' %8s MiB/s %5s' "${QB[$t.$w]% *}" ""; done | sed 's/  *$//'
  printf ' %10s %10s\n' \
    "$(awk -v a="${QB[elk.$w]% *}" -v b="${QB[tgt+elk.$w]% *}" 'BEGIN {printf "%.2fx", a / b}')" \
    "$(awk -v a="${QB[elk.$w]% *}" -v b="${QB[tgt+mfs.$w]% *}" 'BEGIN {printf "%.2fx", a / b}')"
done
for w in read-4k write-4k; do
  echo "IOPS $w: elk ${QB[elk.$w]#* }, tgt+elk ${QB[tgt+elk.$w]#* }, tgt+mfs ${QB[tgt+mfs.$w]#* }"
done
