#!/bin/bash
# scripts/demo.sh with ELKFS_MASTERS=3: a private etcd and three masters in the election,
# one leader and two followers of the same term; cluster.env names them all; the leader
# killed with -9, a write through the same mount is fsynced again within 20 s and the file
# written before reads back the same; `demo.sh stop` then leaves no process and no mount.
# Cleans up after itself, also on failure. Label `etcd`: needs /usr/bin/etcd and FUSE.
#   tests/integration/demo_masters_test.sh SOURCE_DIR BIN_DIR
set -euo pipefail
SRC=$(cd "$1" && pwd)
BIN=$(cd "$2" && pwd)
TMP=$(mktemp -d /tmp/elkfs-demo-masters-XXXXXX)
DEMO=$TMP/demo

fail() { echo "demo_masters_test: FAIL: $*" >&2; exit 1; }

# A base with its 100 ports free, below the ephemeral range (32768+).
port_base() {
  local b p busy
  for _ in $(seq 1 50); do
    b=$((20000 + 100 * (RANDOM % 120)))
    busy=$(ss -ltnH | awk '{print $4}' | sed 's/.*://' |
      awk -v lo="$b" -v hi="$((b + 99))" '$1 >= lo && $1 <= hi' | head -1)
    [ -z "$busy" ] && { echo "$b"; return 0; }
  done
  fail "no free range of 100 ports"
}
export ELKFS_PORT_BASE; ELKFS_PORT_BASE=$(port_base)
export ELKFS_DEMO_DIR=$DEMO ELKFS_BIN=$BIN ELKFS_DEMO_SKIP_BUILD=1 ELKFS_MASTERS=3
demo() { timeout 120 "$SRC/scripts/demo.sh" "$@"; }

cleanup() {
  set +e
  local pids=""
  [ -f "$DEMO/cluster.env" ] && pids=$(cat "$DEMO"/*.pid 2>/dev/null | tr '\n' ' ')
  demo stop >/dev/null 2>&1
  for p in $pids; do kill -0 "$p" 2>/dev/null && kill -KILL "$p"; done
  for m in "$DEMO/mnt" "$DEMO/meta"; do
    grep -q " $m fuse" /proc/mounts && { fusermount3 -u "$m" 2>/dev/null || umount -l "$m"; }
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

monitor() {  # client port, key: the value in mfscli's info, or "?"
  timeout 5 "$BIN/mfscli" -H 127.0.0.1 -P "$1" -SIG -p 2>/dev/null |
    awk -F'\t' -v k="$2" '$1 == k {print $2; found = 1} END {if (!found) print "?"}'
}
leader_of() {  # prints the index (1..3) of the master whose monitor says leader
  local i=0 p
  for p in $CLIENT_PORTS; do
    i=$((i + 1))
    [ "$(monitor "$p" role)" = leader ] && { echo "$i"; return 0; }
  done
  return 0
}

t0=$SECONDS
echo "== demo.sh start with ELKFS_MASTERS=3 (port base $ELKFS_PORT_BASE)"
demo start >"$TMP/start.log" 2>&1 || { cat "$TMP/start.log"; fail "demo.sh start"; }
# shellcheck disable=SC1091
. "$DEMO/cluster.env"
read -r -a pids <<<"$MASTER_PIDS"
read -r -a cfgs <<<"$MASTER_CFGS"
read -r -a mons <<<"$MONITOR_PORTS"
read -r -a clis <<<"$CLIENT_PORTS"
[ ${#pids[@]} = 3 ] && [ ${#cfgs[@]} = 3 ] && [ ${#mons[@]} = 3 ] ||
  fail "cluster.env: want three MASTER_PIDS, MASTER_CFGS, MONITOR_PORTS: $MASTER_PIDS / $MASTER_CFGS / $MONITOR_PORTS"
[ "$MASTER_PID" = "${pids[0]}" ] && [ "$MASTER_CFG" = "${cfgs[0]}" ] && [ "$HTTP_PORT" = "${mons[0]}" ] ||
  fail "cluster.env: MASTER_PID/MASTER_CFG/HTTP_PORT are not the first master's"
[[ $ETCD_ENDPOINTS == http://127.0.0.1:* ]] || fail "cluster.env: ETCD_ENDPOINTS=$ETCD_ENDPOINTS"
kill -0 "$ETCD_PID" || fail "etcd (pid $ETCD_PID) is not running"
for i in 0 1 2; do
  kill -0 "${pids[$i]}" || fail "master $((i + 1)) (pid ${pids[$i]}) is not running"
  grep -q "^ETCD_ENDPOINTS = $ETCD_ENDPOINTS\$" "${cfgs[$i]}" || fail "${cfgs[$i]}: no ETCD_ENDPOINTS"
done
grep -q "^MASTER_HOST = .* .* " "$DEMO/etc/mfschunkserver1.cfg" || fail "chunkservers not given three masters"

# One leader, two followers, one epoch (a follower's monitor shows the term within a second).
roles="" epochs=""
for _ in $(seq 1 50); do
  roles=$(for p in "${clis[@]}"; do monitor "$p" role; done | sort | tr '\n' ' ')
  epochs=$(for p in "${clis[@]}"; do monitor "$p" epoch; done | sort -u | tr '\n' ' ')
  [ "$roles" = "follower follower leader " ] && [ "$(wc -w <<<"$epochs")" = 1 ] && [ "$epochs" != "0 " ] && break
  sleep 0.2
done
[ "$roles" = "follower follower leader " ] || fail "roles: $roles"
[ "$(wc -w <<<"$epochs")" = 1 ] && [ "$epochs" != "0 " ] || fail "epochs: $epochs"
lead=$(leader_of)
echo "master $lead leads, epoch $epochs($((SECONDS - t0)) s)"

dd if=/dev/urandom of="$MOUNT/before.bin" bs=64k count=32 conv=fsync status=none || fail "write before"
sum=$(md5sum <"$MOUNT/before.bin")

echo "== kill -9 the leader (master $lead, pid ${pids[$((lead - 1))]})"
kill -KILL "${pids[$((lead - 1))]}"
start=$(date +%s%N) ok="" failed=0
for _ in $(seq 1 100); do
  if timeout 20 dd if=/dev/zero of="$MOUNT/after.bin" bs=64k count=16 conv=fsync status=none 2>"$TMP/dd.err"; then
    ok=1; break
  fi
  failed=$((failed + 1))
  echo "  at $((($(date +%s%N) - start) / 1000000)) ms: $(tail -1 "$TMP/dd.err")"
  [ $(($(date +%s%N) - start)) -gt 20000000000 ] && break
  sleep 0.2
done
[ -n "$ok" ] || fail "no fsynced write through the mount within 20 s of the kill"
echo "a write through the mount fsynced $((($(date +%s%N) - start) / 1000000)) ms after the kill ($failed failed before)"
[ "$(md5sum <"$MOUNT/before.bin")" = "$sum" ] || fail "the file written before the kill reads back different"
new=""
for _ in $(seq 1 25); do  # the monitor publishes the role each second
  new=$(leader_of)
  [ -n "$new" ] && break
  sleep 0.2
done
[ -n "$new" ] && [ "$new" != "$lead" ] || fail "no new leader (monitors say: $new)"
echo "master $new leads, epoch $(monitor "${clis[$((new - 1))]}" epoch)"

echo "== demo.sh stop"
all=$(cat "$DEMO"/*.pid | tr '\n' ' ')
demo stop || fail "demo.sh stop"
for p in $all; do kill -0 "$p" 2>/dev/null && fail "pid $p still runs after stop"; done
grep -q " $DEMO/" /proc/mounts && fail "still mounted: $(grep " $DEMO/" /proc/mounts)"
[ "$(cat "$DEMO/etc/leader")" = "$new" ] || fail "etc/leader does not name master $new"
echo "demo_masters_test: OK ($((SECONDS - t0)) s)"
