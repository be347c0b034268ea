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
#
# ELKFS_MASTERS=3 (or 2; default 1) runs that many masters in an etcd election
# (docs/failover.md): a private etcd on 127.0.0.1 (data in etcd/, ports kept in
# etc/etcd_ports, the first free ones from +80), masters 2 and 3 with their data in master2/
# and master3/ and their ports at +61/+62/+63, monitor +67, and +71/+72/+73, monitor +77;
# the chunkservers, the metalogger, the iSCSI target and both mounts are given every master.
# `stop` stops the followers, then the leader (noted in etc/leader, so the next start begins
# with it), then etcd, whatever ELKFS_MASTERS says then.
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
NM=${ELKFS_MASTERS:-1}
case $NM in 1 | 2 | 3) ;; *) echo "demo: ELKFS_MASTERS must be 1, 2 or 3" >&2; exit 2 ;; esac
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
port_free() { ! ss -ltn "sport = :$1" | grep -q LISTEN; }

# Master k's ports: the first keeps MooseFS's offsets (+19 metalogger, +20 chunkservers, +21
# clients, +25 monitor); master k > 1 has +10k+41/+42/+43, monitor +10k+47.
mport() {  # k offset(19|20|21|25)
  if [ "$1" = 1 ]; then echo $((B + $2)); else echo $((B + 10 * $1 + 41 + $2 - 19)); fi
}
mname() { if [ "$1" = 1 ]; then echo master; else echo "master$1"; fi; }
mcfg() { if [ "$1" = 1 ]; then echo "$DEMO/etc/mfsmaster.cfg"; else echo "$DEMO/etc/mfsmaster$1.cfg"; fi; }
# Every master, as each kind of peer gives it: "127.0.0.1:P 127.0.0.1:P ..." (one master:
# "127.0.0.1", as always).
masters_for() {  # offset(19|20|21) [separator]
  if [ "$NM" = 1 ]; then echo 127.0.0.1; return 0; fi
  local k out=""
  for k in $(seq 1 "$NM"); do out+="${out:+${2:- }}127.0.0.1:$(mport "$k" "$1")"; done
  echo "$out"
}
# A master's role and epoch from its monitor, read by mfscli on its client port ("leader 7";
# "? ?" when it does not answer).
role_of() {  # client port
  local out
  out=$(timeout 5 "$BIN/mfscli" -H 127.0.0.1 -P "$1" -SIG -p 2>/dev/null || true)
  printf '%s %s\n' "$(awk -F'\t' '$1 == "role" {print $2}' <<<"$out" | grep . || echo '?')" \
    "$(awk -F'\t' '$1 == "epoch" {print $2}' <<<"$out" | grep . || echo '?')"
}
wait_role() {  # client port, role: that role in a term (epoch > 0); 20 s at most
  local re
  for _ in $(seq 1 100); do
    re=$(role_of "$1")
    [ "${re% *}" = "$2" ] && [ "${re#* }" != 0 ] && return 0
    sleep 0.2
  done
  return 1
}
# The number of the master that leads, as its monitor says (empty when none does).
leader_index() {
  local k
  for k in $(seq 1 "$NM"); do
    [ "$(role_of "$(mport "$k" 21)" | cut -d' ' -f1)" = leader ] && { echo "$k"; return 0; }
  done
  return 0
}
# Chunkservers given every master try them in turn (a follower sends them on after their
# MASTER_RECONNECTION_DELAY): wait until all three registered with the leader, 20 s at most.
wait_chunkservers() {
  local k n
  for _ in $(seq 1 100); do
    k=$(leader_index)
    if [ -n "$k" ]; then
      n=$(timeout 5 "$BIN/mfscli" -H 127.0.0.1 -P "$(mport "$k" 21)" -SIG -p 2>/dev/null |
        awk -F'\t' '$1 == "chunkservers" {print $2}')
      [ "$n" = 3 ] && return 0
    fi
    sleep 0.2
  done
  echo "(not every chunkserver registered with the leader within 20 s: $DEMO/log/)"
}

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

# etcd's client and peer ports: the first free ones from +80, chosen once and kept in the
# demo folder (etcd's data remembers its peer address).
etcd_ports() {
  local f=$DEMO/etc/etcd_ports
  if [ ! -s "$f" ]; then
    local p=$((B + 80)) found=()
    for _ in $(seq 1 40); do
      port_free "$p" && found+=("$p")
      [ ${#found[@]} = 2 ] && break
      p=$((p + 1))
    done
    [ ${#found[@]} = 2 ] || { echo "demo: no two free ports from $((B + 80)) for etcd" >&2; exit 1; }
    echo "${found[*]}" >"$f"
  fi
  cat "$f"
}
etcd_url() { echo "http://127.0.0.1:$(etcd_ports | cut -d' ' -f1)"; }

start_etcd() {
  local cp pp
  read -r cp pp <<<"$(etcd_ports)"
  port_free "$cp" && port_free "$pp" ||
    { echo "demo: etcd's ports $cp/$pp (etc/etcd_ports) are taken" >&2; exit 1; }
  say "starting etcd on 127.0.0.1:$cp (data in $DEMO/etcd)"
  mkdir -p "$DEMO/etcd"
  chmod 700 "$DEMO/etcd"
  start_bg etcd /usr/bin/etcd --name elkfs-demo --data-dir "$DEMO/etcd/data" \
    --listen-client-urls "http://127.0.0.1:$cp" --advertise-client-urls "http://127.0.0.1:$cp" \
    --listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
    --initial-cluster "elkfs-demo=http://127.0.0.1:$pp" --log-level warn
  for _ in $(seq 1 100); do
    curl -s -m 1 "http://127.0.0.1:$cp/health" 2>/dev/null | grep -q '"health":"true"' && return 0
    kill -0 "$(pid_of etcd)" 2>/dev/null || break
    sleep 0.2
  done
  tail "$DEMO/log/etcd.log"; echo "demo: etcd did not start"; exit 1
}

# The servers run as whoever runs the demo (WORKING_USER): the data folders are theirs. A
# production install instead creates a service user and gives it the folders.
write_configs() {
  mkdir -p "$DEMO"/{etc,metalogger,mnt,meta,log}
  chmod 700 "$DEMO/etc"
  local code; code=$(auth_code)
  printf '127.0.0.1 / rw,alldirs,maproot=0\n127.0.0.1 . rw\n' >"$DEMO/etc/mfsexports.cfg"
  local k
  for k in $(seq 1 "$NM"); do
    mkdir -p "$DEMO/$(mname "$k")"
    cat >"$(mcfg "$k")" <<EOC
DATA_PATH = $DEMO/$(mname "$k")
WORKING_USER = $(id -un)
EXPORTS_FILENAME = $DEMO/etc/mfsexports.cfg
MATOML_LISTEN_HOST = 127.0.0.1
MATOML_LISTEN_PORT = $(mport "$k" 19)
MATOCS_LISTEN_HOST = 127.0.0.1
MATOCS_LISTEN_PORT = $(mport "$k" 20)
MATOCL_LISTEN_HOST = 127.0.0.1
MATOCL_LISTEN_PORT = $(mport "$k" 21)
HTTP_LISTEN_HOST = 127.0.0.1
HTTP_LISTEN_PORT = $(mport "$k" 25)
# short delays, so that recovery after a lost chunkserver shows within a minute
REPLICATIONS_DELAY_INIT = 5
REPLICATIONS_DELAY_DISCONNECT = 10
AUTH_CODE = $code
${ELKFS_MASTER_CFG_EXTRA:-}
EOC
    if [ "$NM" != 1 ]; then
      cat >>"$(mcfg "$k")" <<EOC
# the election (docs/failover.md): a 3 s lease, so a lost leader is replaced in about 3-5 s
ETCD_ENDPOINTS = $(etcd_url)
ETCD_PREFIX = /elkfs/
MASTER_NODE_ID = master$k
MASTER_LEASE_TTL = 3
EOC
    fi
  done
  cat >"$DEMO/etc/mfsmetalogger.cfg" <<EOC
DATA_PATH = $DEMO/metalogger
WORKING_USER = $(id -un)
MASTER_HOST = $(masters_for 19)
MASTER_PORT = $((B + 19))
AUTH_CODE = $code
EOC
  mkdir -p "$DEMO/iscsid"
  cat >"$DEMO/etc/mfsiscsid.cfg" <<EOC
DATA_PATH = $DEMO/iscsid
WORKING_USER = $(id -un)
MASTER_HOST = $(masters_for 21)
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
MASTER_HOST = $(masters_for 20)
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
MASTER_PIDS="$(all_masters pid)"
MASTER_CFGS="$(all_masters cfg)"
MONITOR_PORTS="$(all_masters monitor)"
CLIENT_PORTS="$(all_masters client)"
ETCD_ENDPOINTS=$([ "$NM" = 1 ] || etcd_url)
ETCD_PID=$(pid_of etcd)
EOC
}

all_masters() {  # pid|cfg|monitor|client: one per master, in order, space-separated
  local k out=()
  for k in $(seq 1 "$NM"); do
    case $1 in
      pid) out+=("$(pid_of "$(mname "$k")")") ;;
      cfg) out+=("$(mcfg "$k")") ;;
      monitor) out+=("$(mport "$k" 25)") ;;
      client) out+=("$(mport "$k" 21)") ;;
    esac
  done
  echo "${out[*]}"
}

start() {
  local n
  for n in master master2 master3 etcd; do
    if [ -n "$(pid_of "$n")" ] && kill -0 "$(pid_of "$n")" 2>/dev/null; then
      echo "demo: already running (scripts/demo.sh status)"; return 0
    fi
  done
  write_configs
  if [ "$NM" = 1 ]; then
    say "starting the master on 127.0.0.1:$((B + 21))"
    start_bg master "$BIN/mfsmaster" -f -c "$DEMO/etc/mfsmaster.cfg"
    wait_port $((B + 21)) || { tail "$DEMO/log/master.log"; echo "demo: master did not start"; exit 1; }
  else
    start_masters
  fi
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
  [ "$NM" = 1 ] || wait_chunkservers
  echo "three chunkservers on 127.0.0.1:$((B + 22)), :$((B + 32)), :$((B + 42))"
  if [ -x "$BIN/mfsmount" ]; then
    "$BIN/mfsmount" "$DEMO/mnt" -H "$(masters_for 21 ,)" -P $((B + 21)) >"$DEMO/log/mount.log" 2>&1 || true
    "$BIN/mfsmount" "$DEMO/meta" -m -H "$(masters_for 21 ,)" -P $((B + 21)) >"$DEMO/log/meta.log" 2>&1 || true
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

# ELKFS_MASTERS > 1: etcd, then the master that led last (etc/leader; the first at first),
# which must be the leader before the others start, so that they follow it (docs/failover.md,
# "Preferring the most up-to-date candidate"), then the others as its followers.
start_masters() {
  start_etcd
  local first=1 k order
  [ -s "$DEMO/etc/leader" ] && first=$(cat "$DEMO/etc/leader")
  [ "$first" -ge 1 ] 2>/dev/null && [ "$first" -le "$NM" ] || first=1
  order="$first $(seq 1 "$NM" | grep -vx "$first" | tr '\n' ' ')"
  for k in $order; do
    say "starting master $k ($(mname "$k")/) on 127.0.0.1:$(mport "$k" 21), monitor :$(mport "$k" 25)"
    local recover=()
    if [ -e "$DEMO/$(mname "$k")/metadata.running" ]; then
      # killed rather than stopped (a kill -9 of the leader, say): recover from its changelogs
      echo "(master $k did not stop cleanly: started with -a)"
      recover=(-a)
    fi
    start_bg "$(mname "$k")" "$BIN/mfsmaster" -f "${recover[@]}" -c "$(mcfg "$k")"
    wait_port "$(mport "$k" 21)" && wait_port "$(mport "$k" 25)" ||
      { tail "$DEMO/log/$(mname "$k").log"; echo "demo: master $k did not start"; exit 1; }
    local want=follower; [ "$k" = "$first" ] && want=leader
    if wait_role "$(mport "$k" 21)" "$want"; then
      echo "master $k: $want"
    else
      echo "(master $k is not the $want after 20 s: $(role_of "$(mport "$k" 21)"); $DEMO/log/$(mname "$k").log)"
    fi
  done
}

# The masters that have a pid file: their numbers, followers first and the leader last
# (noted in etc/leader), so that a clean stop leaves the newest state with the one that
# starts first next time.
masters_stop_order() {
  local k p leader="" rest=""
  if [ ! -f "$DEMO/master2.pid" ] && [ ! -f "$DEMO/master3.pid" ]; then echo 1; return 0; fi
  for k in 1 2 3; do
    p=$(pid_of "$(mname "$k")"); [ -n "$p" ] || continue
    if [ -z "$leader" ] && kill -0 "$p" 2>/dev/null && [ -x "$BIN/mfscli" ] && [ -f "$(mcfg "$k")" ] &&
      [ "$(role_of "$(sed -n 's/^MATOCL_LISTEN_PORT = //p' "$(mcfg "$k")")" | cut -d' ' -f1)" = leader ]; then
      leader=$k
    else
      rest+="$k "
    fi
  done
  if [ -n "$leader" ]; then echo "$leader" >"$DEMO/etc/leader"; else rm -f "$DEMO/etc/leader"; fi
  echo "$rest$leader"
}

stop() {
  for m in "$DEMO/mnt" "$DEMO/meta"; do
    if is_mounted "$m"; then fusermount3 -u "$m" 2>/dev/null || umount -l "$m"; fi
  done
  local n k masters=""
  for k in $(masters_stop_order); do masters+=" $(mname "$k")"; done
  for n in iscsid cs1 cs2 cs3 metalogger $masters etcd; do
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
  local extra=""
  for n in master2 master3 etcd; do [ -f "$DEMO/$n.pid" ] && extra+=" $n"; done
  for n in master $extra metalogger cs1 cs2 cs3 iscsid; do
    local p; p=$(pid_of "$n")
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then echo "$n: running, pid $p"; else echo "$n: not running"; fi
  done
  for m in "$DEMO/mnt" "$DEMO/meta"; do is_mounted "$m" && echo "mounted: $m" || echo "not mounted: $m"; done
}

tour() {
  say "the cluster"
  status
  [ "$NM" = 1 ] || tour_election
  local lead=master k  # the leader's log and changelog
  [ "$NM" = 1 ] || { k=$(leader_index); [ -z "$k" ] || lead=$(mname "$k"); }
  local log=$DEMO/log/$lead.log
  grep -h 'registered' "$log" | tail -3 || true
  say "servers authenticate: each proved the AUTH_CODE (etc/auth_code) before registering"
  grep -h 'AUTH_CODE' "$log" | tail -5 || true
  if is_mounted "$DEMO/mnt"; then
    tour_mount
    tour_volume
  else
    say "no mount yet"
    echo "mfsmount is not built yet, so the tour stops at the servers. What runs: a master that"
    echo "keeps the namespace with a changelog and images, and three chunkservers registered with it."
  fi
  say "the master's changelog (one greppable, self-checking record per change)"
  tail -5 "$DEMO/$lead/changelog.0.mfs" 2>/dev/null || echo "(empty)"
  cat <<TXT

== where things are
  cluster file:   $ENV   (source it: BIN, MOUNT, pids, configs, ports)$(
    [ "$NM" = 1 ] || printf '\n  masters:        %s (monitors %s), etcd %s' "$(masters_for 21)" "$(all_masters monitor)" "$(etcd_url)")
  logs:           $DEMO/log/
  stop it all:    scripts/demo.sh stop
TXT
}

# Which master leads: each master's role and epoch (the etcd leader key's create_revision),
# from its monitor through mfscli.
tour_election() {
  say "the election on etcd ($(etcd_url)): who leads"
  local k
  for k in $(seq 1 "$NM"); do
    local re; re=$(role_of "$(mport "$k" 21)")
    printf 'master %s  127.0.0.1:%s  monitor :%s  pid %s  role %-8s epoch %s\n' "$k" "$(mport "$k" 21)" \
      "$(mport "$k" 25)" "$(pid_of "$(mname "$k")")" "${re% *}" "${re#* }"
  done
  echo "(mfscli -H 127.0.0.1 -P PORT -SIN shows the same; kill -9 the leader and another"
  echo " master leads within a few seconds, the mount and chunkservers following it)"
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
  local T=$BIN port=$((B + 60)) v=(-H "$(masters_for 21 ,)" -P $((B + 21)) -S "$DEMO/iscsid/mfsiscsid.sock")
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
