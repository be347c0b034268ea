#!/bin/bash
# The main job: builds ElkFS, starts a local cluster on 127.0.0.1 and tours it.
#
#   scripts/demo.sh          build, start, tour (the cluster keeps running afterwards)
#   scripts/demo.sh start    build and start only
#   scripts/demo.sh status   what runs, by pid
#   scripts/demo.sh stop     unmount and stop everything the demo started, by pid
#
# The cluster lives in ${ELKFS_DEMO_DIR:-./demo}: a master, a metalogger (when built), three
# chunkservers each with its own disk folder, the mount at mnt/ and the meta mount at meta/
# (when mfsmount is built). `cluster.env` there names every program, folder, pid, config and
# port, so scripts and tests can drive the cluster. ELKFS_PORT_BASE (default 9400) moves all
# ports: master +19/+20/+21, monitor +25, chunkservers +22/+32/+42, the iSCSI target +60. ELKFS_MASTER_CFG_EXTRA
# holds extra mfsmaster.cfg lines (benchmarks use it, e.g. "CHANGELOG_SYNC = 0").
# Every server shares one AUTH_CODE (docs/security.md): ELKFS_AUTH_CODE when set, else one
# generated at random for this demo folder and kept in it (etc/auth_code), so restarts agree.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ACTION=${1:-tour}
DEMO=${ELKFS_DEMO_DIR:-$ROOT/demo}
mkdir -p "$DEMO"
DEMO=$(cd "$DEMO" && pwd)
B=${ELKFS_PORT_BASE:-9400}
BIN=${ELKFS_BIN:-$ROOT/build/release/bin}
ENV=$DEMO/cluster.env
say() { printf '\n== %s\n' "$*"; }

build() {
  [ "${ELKFS_DEMO_SKIP_BUILD:-0}" = 1 ] && return 0
  bash scripts/deps.sh
  say "building (release)"
  cmake --preset release >/dev/null
  mkdir -p build
  cmake --build --preset release -j"$(nproc)" >build/build-release.log 2>&1 || {
    tail -30 build/build-release.log; echo "demo: build failed"; exit 1; }
}

wait_port() { for _ in $(seq 1 150); do ss -ltn "sport = :$1" | grep -q LISTEN && return 0; sleep 0.1; done; return 1; }
is_mounted() { grep -q " $1 fuse" /proc/mounts; }

# The cluster's AUTH_CODE: chunkservers and metaloggers prove it to the master before they
# register. Only the owner reads the file and the configs that hold it.
auth_code() {
  if [ -n "${ELKFS_AUTH_CODE:-}" ]; then printf '%s' "$ELKFS_AUTH_CODE"; return 0; fi
  local f=$DEMO/etc/auth_code
  if [ ! -s "$f" ]; then
    (umask 077; od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$f")
  fi
  cat "$f"
}

# The servers run as whoever runs the demo (WORKING_USER): the data folders are theirs. A
# production install instead creates a service user and gives it the folders.
write_configs() {
  mkdir -p "$DEMO"/{etc,master,metalogger,mnt,meta,log}
  chmod 700 "$DEMO/etc"
  local code; code=$(auth_code)
  printf '127.0.0.1 / rw,alldirs,maproot=0\n127.0.0.1 . rw\n' >"$DEMO/etc/mfsexports.cfg"
  cat >"$DEMO/etc/mfsmaster.cfg" <<EOC
DATA_PATH = $DEMO/master
WORKING_USER = $(id -un)
EXPORTS_FILENAME = $DEMO/etc/mfsexports.cfg
MATOML_LISTEN_HOST = 127.0.0.1
MATOML_LISTEN_PORT = $((B + 19))
MATOCS_LISTEN_HOST = 127.0.0.1
MATOCS_LISTEN_PORT = $((B + 20))
MATOCL_LISTEN_HOST = 127.0.0.1
MATOCL_LISTEN_PORT = $((B + 21))
HTTP_LISTEN_HOST = 127.0.0.1
HTTP_LISTEN_PORT = $((B + 25))
# short delays, so that recovery after a lost chunkserver shows within a minute
REPLICATIONS_DELAY_INIT = 5
REPLICATIONS_DELAY_DISCONNECT = 10
AUTH_CODE = $code
${ELKFS_MASTER_CFG_EXTRA:-}
EOC
  cat >"$DEMO/etc/mfsmetalogger.cfg" <<EOC
DATA_PATH = $DEMO/metalogger
WORKING_USER = $(id -un)
MASTER_HOST = 127.0.0.1
MASTER_PORT = $((B + 19))
AUTH_CODE = $code
EOC
  mkdir -p "$DEMO/iscsid"
  cat >"$DEMO/etc/mfsiscsid.cfg" <<EOC
DATA_PATH = $DEMO/iscsid
WORKING_USER = $(id -un)
MASTER_HOST = 127.0.0.1
MASTER_PORT = $((B + 21))
ISCSI_LISTEN_HOST = 127.0.0.1
ISCSI_LISTEN_PORT = $((B + 60))
READ_CACHE_SIZE = 64MiB
EOC
  for i in 1 2 3; do
    mkdir -p "$DEMO/cs$i" "$DEMO/hdd$i"
    echo "$DEMO/hdd$i" >"$DEMO/etc/mfshdd$i.cfg"
    cat >"$DEMO/etc/mfschunkserver$i.cfg" <<EOC
DATA_PATH = $DEMO/cs$i
WORKING_USER = $(id -un)
HDD_CONF_FILENAME = $DEMO/etc/mfshdd$i.cfg
HDD_LEAVE_SPACE_DEFAULT = 256MiB
MASTER_HOST = 127.0.0.1
MASTER_PORT = $((B + 20))
CSSERV_LISTEN_HOST = 127.0.0.1
CSSERV_LISTEN_PORT = $((B + 12 + 10 * i))
MASTER_RECONNECTION_DELAY = 1
AUTH_CODE = $code
EOC
  done
  chmod 600 "$DEMO"/etc/*.cfg
}

start_bg() {  # name program args... : runs in the foreground mode (-f) in the background
  local name=$1; shift
  nohup "$@" >"$DEMO/log/$name.log" 2>&1 </dev/null &
  echo $! >"$DEMO/$name.pid"
}

pid_of() { [ -f "$DEMO/$1.pid" ] && cat "$DEMO/$1.pid" || true; }

write_env() {
  cat >"$ENV" <<EOC
BIN=$BIN
MOUNT=$DEMO/mnt
META=$DEMO/meta
MASTER_DATA=$DEMO/master
METALOGGER_DATA=$DEMO/metalogger
MASTER_PID=$(pid_of master)
METALOGGER_PID=$(pid_of metalogger)
CS_PIDS="$(pid_of cs1) $(pid_of cs2) $(pid_of cs3)"
CS_DATA="$DEMO/hdd1 $DEMO/hdd2 $DEMO/hdd3"
MASTER_CFG=$DEMO/etc/mfsmaster.cfg
METALOGGER_CFG=$DEMO/etc/mfsmetalogger.cfg
CS_CFGS="$DEMO/etc/mfschunkserver1.cfg $DEMO/etc/mfschunkserver2.cfg $DEMO/etc/mfschunkserver3.cfg"
MASTER_HOST=127.0.0.1
MATOML_PORT=$((B + 19))
MATOCS_PORT=$((B + 20))
MATOCL_PORT=$((B + 21))
HTTP_PORT=$((B + 25))
ISCSI_PORT=$((B + 60))
ISCSID_PID=$(pid_of iscsid)
ISCSID_SOCKET=$DEMO/iscsid/mfsiscsid.sock
CS_PORTS="$((B + 22)) $((B + 32)) $((B + 42))"
EOC
}

start() {
  if [ -n "$(pid_of master)" ] && kill -0 "$(pid_of master)" 2>/dev/null; then
    echo "demo: already running (scripts/demo.sh status)"; return 0
  fi
  write_configs
  say "starting the master on 127.0.0.1:$((B + 21))"
  start_bg master "$BIN/mfsmaster" -f -c "$DEMO/etc/mfsmaster.cfg"
  wait_port $((B + 21)) || { tail "$DEMO/log/master.log"; echo "demo: master did not start"; exit 1; }
  if [ -x "$BIN/mfsmetalogger" ]; then
    start_bg metalogger "$BIN/mfsmetalogger" -f -c "$DEMO/etc/mfsmetalogger.cfg"
  else
    echo "(mfsmetalogger is not built yet: no metalogger)"
  fi
  for i in 1 2 3; do
    start_bg "cs$i" "$BIN/mfschunkserver" -f -c "$DEMO/etc/mfschunkserver$i.cfg"
  done
  for i in 1 2 3; do
    wait_port $((B + 12 + 10 * i)) || { tail "$DEMO/log/cs$i.log"; echo "demo: chunkserver $i did not start"; exit 1; }
  done
  echo "three chunkservers on 127.0.0.1:$((B + 22)), :$((B + 32)), :$((B + 42))"
  if [ -x "$BIN/mfsmount" ]; then
    "$BIN/mfsmount" "$DEMO/mnt" -H 127.0.0.1 -P $((B + 21)) >"$DEMO/log/mount.log" 2>&1 || true
    "$BIN/mfsmount" "$DEMO/meta" -m -H 127.0.0.1 -P $((B + 21)) >"$DEMO/log/meta.log" 2>&1 || true
    for _ in $(seq 1 50); do is_mounted "$DEMO/mnt" && break; sleep 0.1; done
    is_mounted "$DEMO/mnt" && echo "mounted at $DEMO/mnt" || echo "(the mount did not come up: $DEMO/log/mount.log)"
  else
    echo "(mfsmount is not built yet: nothing mounted)"
  fi
  if [ -x "$BIN/mfsiscsid" ]; then
    start_bg iscsid "$BIN/mfsiscsid" -f -c "$DEMO/etc/mfsiscsid.cfg"
    wait_port $((B + 60)) && echo "iSCSI target on 127.0.0.1:$((B + 60))" ||
      echo "(mfsiscsid did not start: $DEMO/log/iscsid.log)"
  fi
  write_env
}

stop() {
  for m in "$DEMO/mnt" "$DEMO/meta"; do
    if is_mounted "$m"; then fusermount3 -u "$m" 2>/dev/null || umount -l "$m"; fi
  done
  for n in iscsid cs1 cs2 cs3 metalogger master; do
    local p; p=$(pid_of "$n"); [ -n "$p" ] || continue
    if kill -0 "$p" 2>/dev/null; then
      kill -TERM "$p"
      for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$p" 2>/dev/null && kill -KILL "$p"
    fi
    rm -f "$DEMO/$n.pid"
  done
  echo "demo: stopped (data kept in $DEMO)"
}

status() {
  for n in master metalogger cs1 cs2 cs3 iscsid; do
    local p; p=$(pid_of "$n")
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then echo "$n: running, pid $p"; else echo "$n: not running"; fi
  done
  for m in "$DEMO/mnt" "$DEMO/meta"; do is_mounted "$m" && echo "mounted: $m" || echo "not mounted: $m"; done
}

tour() {
  say "the cluster"
  status
  grep -h 'registered' "$DEMO/log/master.log" | tail -3 || true
  say "servers authenticate: each proved the AUTH_CODE (etc/auth_code) before registering"
  grep -h 'AUTH_CODE' "$DEMO/log/master.log" | tail -5 || true
  if is_mounted "$DEMO/mnt"; then
    tour_mount
    tour_volume
  else
    say "no mount yet"
    echo "mfsmount is not built yet, so the tour stops at the servers. What runs: a master that"
    echo "keeps the namespace with a changelog and images, and three chunkservers registered with it."
  fi
  say "the master's changelog (one greppable, self-checking record per change)"
  tail -5 "$DEMO/master/changelog.0.mfs" 2>/dev/null || echo "(empty)"
  cat <<TXT

== where things are
  cluster file:   $ENV   (source it: BIN, MOUNT, pids, configs, ports)
  logs:           $DEMO/log/
  stop it all:    scripts/demo.sh stop
TXT
}

tour_mount() {
  local M=$DEMO/mnt T=$BIN
  say "write a file with goal 2"
  mkdir -p "$M/tour"
  dd if=/dev/urandom of="$M/tour/data.bin" bs=1M count=3 status=none
  md5sum "$M/tour/data.bin"
  [ -x "$T/mfssetgoal" ] && (cd "$M" && "$T/mfssetgoal" 2 tour/data.bin && "$T/mfsgetgoal" tour/data.bin && "$T/mfsfileinfo" tour/data.bin) || true
  say "snapshot it"
  (cd "$M" && "$T/mfsmakesnapshot" tour/data.bin tour/snap.bin && ls -l tour) || true
  say "delete a file and restore it from the trash (through the meta mount)"
  rm "$M/tour/snap.bin"
  ls "$M/tour"
  local item
  item=$(ls "$DEMO/meta/trash" 2>/dev/null | grep 'snap.bin$' | head -n 1 || true)
  echo "in the trash: $item"
  if [ -n "$item" ]; then
    mv "$DEMO/meta/trash/$item" "$DEMO/meta/trash/undel/"
    ls "$M/tour"
    md5sum "$M/tour/data.bin" "$M/tour/snap.bin"
  fi
}

# A volume for a VM: made by mfsvolume, exported by mfsiscsid, reached by real initiators
# (libiscsi's tools and QEMU's iscsi:// driver), written and read back, snapshotted and
# cloned at once.
tour_volume() {
  local T=$BIN port=$((B + 60)) v=(-H 127.0.0.1 -P $((B + 21)) -S "$DEMO/iscsid/mfsiscsid.sock")
  [ -n "$(pid_of iscsid)" ] && kill -0 "$(pid_of iscsid)" 2>/dev/null || { echo "(no iSCSI target running)"; return 0; }
  say "a 1 GiB volume for a VM, exported over iSCSI"
  "$T/mfsvolume" "${v[@]}" delete tour --with-snapshots >/dev/null 2>&1 || true
  "$T/mfsvolume" "${v[@]}" delete tour-clone >/dev/null 2>&1 || true
  "$T/mfsvolume" "${v[@]}" create tour 1G
  local iqn
  iqn=$("$T/mfsvolume" "${v[@]}" --json export tour | sed -n 's/.*"target_iqn": *"\([^"]*\)".*/\1/p')
  echo "exported as $iqn"
  say "what an initiator sees (iscsi-ls, iscsi-inq, qemu-img info)"
  iscsi-ls -s "iscsi://127.0.0.1:$port" || true
  iscsi-inq "iscsi://127.0.0.1:$port/$iqn/0" | grep -E 'Vendor|Product' || true
  qemu-img info "iscsi://127.0.0.1:$port/$iqn/0" | grep -E 'virtual size' || true
  say "write 8 MiB through QEMU's iSCSI driver, read it back"
  qemu-io -f raw -c 'write -P 0x5a 0 8M' "iscsi://127.0.0.1:$port/$iqn/0" | grep -v '^ *$' | head -2
  qemu-io -f raw -c 'read -P 0x5a 0 8M' "iscsi://127.0.0.1:$port/$iqn/0" | grep -v '^ *$' | head -2
  say "snapshot and clone it (instant, copy-on-write), then list"
  "$T/mfsvolume" "${v[@]}" snapshot tour before-upgrade
  "$T/mfsvolume" "${v[@]}" clone tour-clone tour
  "$T/mfsvolume" "${v[@]}" list
  "$T/mfsvolume" "${v[@]}" unexport tour
}

case $ACTION in
  tour) build; start; tour ;;
  start) build; start ;;
  status) status ;;
  stop) stop ;;
  *) echo "usage: $0 [tour|start|status|stop]" >&2; exit 2 ;;
esac
