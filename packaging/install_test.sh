#!/bin/bash
# Install test: `cmake --install` the build into a temporary prefix, check the layout, then
# run a cluster (a master, two chunkservers, a metalogger) from the installed programs with
# configs made from the installed samples -- only paths, addresses, ports and the user
# changed -- write a file through the installed mfsmount, read it back, look at it with the
# installed tools and mfscli, and stop everything. Cleans up after itself, also on failure.
#   packaging/install_test.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
TMP=$(mktemp -d /tmp/elkfs-install-XXXXXX)
PREFIX=$TMP/prefix
MNT=$TMP/mnt
MOUNT_PID=""

fail() { echo "install_test: FAIL: $*" >&2; exit 1; }

cleanup() {
  set +e
  if mountpoint -q "$MNT" 2>/dev/null; then fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"; fi
  [ -n "$MOUNT_PID" ] && kill "$MOUNT_PID" 2>/dev/null
  for s in cs0:mfschunkserver cs1:mfschunkserver ml:mfsmetalogger master:mfsmaster; do
    name=${s%%:*}; prog=${s#*:}
    [ -f "$TMP/$name.cfg" ] && "$PREFIX/sbin/$prog" -c "$TMP/$name.cfg" stop >/dev/null 2>&1
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

# A port nothing listens on (the check and the use race, but only with ourselves).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+), where outgoing
    # connections of tests running beside this one take their local ports
    ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
  fail "no free port"
}

echo "== install into $PREFIX"
cmake --install "$BUILD" --prefix "$PREFIX" >"$TMP/install.log" || fail "cmake --install (see log)"
for f in sbin/mfsmaster sbin/mfschunkserver sbin/mfsmetalogger sbin/mfsmetarestore \
         sbin/mfsiscsid bin/mfsvolume \
         bin/mfsmount bin/mfscli bin/mfsgetgoal bin/mfsfileinfo bin/mfscopygoal \
         bin/mfscopytrashtime \
         etc/mfs/mfsmaster.cfg.sample etc/mfs/mfsexports.cfg.sample \
         etc/mfs/mfschunkserver.cfg.sample etc/mfs/mfshdd.cfg.sample \
         etc/mfs/mfsmetalogger.cfg.sample etc/mfs/mfsmount.cfg.sample \
         etc/mfs/mfsiscsid.cfg.sample etc/mfs/mfsvolume.cfg.sample \
         lib/systemd/system/mfsmaster.service lib/systemd/system/mfschunkserver.service \
         lib/systemd/system/mfsmetalogger.service lib/systemd/system/mfsiscsid.service \
         share/man/man8/mfsmaster.8.gz share/man/man1/mfsmount.1.gz \
         share/man/man1/mfsgetgoal.1.gz share/doc/elkfs-master/copyright \
         lib/python3/dist-packages/elkfs.py; do
  [ -e "$PREFIX/$f" ] || fail "missing $f"
done
for u in mfsmaster mfschunkserver mfsmetalogger mfsiscsid; do
  grep -qE "^ExecStart=$PREFIX/sbin/$u -f (-a )?start$" "$PREFIX/lib/systemd/system/$u.service" ||
    fail "$u.service: ExecStart does not name $PREFIX/sbin/$u"
  grep -q "^ExecReload=" "$PREFIX/lib/systemd/system/$u.service" || fail "$u.service: no ExecReload"
done

if command -v systemd-analyze >/dev/null; then
  # --man=no: the prefix's man pages are not where man looks (deb_test checks them).
  systemd-analyze verify --man=no "$PREFIX"/lib/systemd/system/*.service ||
    fail "systemd-analyze verify"
else
  echo "install_test: systemd-analyze not found, the units' syntax is not verified"
fi

# A config from a sample: the commented-out line of each key given is replaced by a setting.
from_sample() {
  local sample=$1 out=$2; shift 2
  cp "$PREFIX/etc/mfs/$sample" "$out"
  local kv
  for kv in "$@"; do
    local key=${kv%%=*} value=${kv#*=}
    grep -q "^# $key = " "$out" || fail "$sample has no line for $key"
    sed -i "s|^# $key = .*|$key = $value|" "$out"
  done
}

ML=$(free_port); CS=$(free_port); CL=$(free_port); HTTP=$(free_port)
ME=$(id -un)
mkdir -p "$TMP/master" "$TMP/ml" "$MNT"
cp "$PREFIX/etc/mfs/mfsexports.cfg.sample" "$TMP/mfsexports.cfg"
from_sample mfsmaster.cfg.sample "$TMP/master.cfg" "DATA_PATH=$TMP/master" "WORKING_USER=$ME" \
  "EXPORTS_FILENAME=$TMP/mfsexports.cfg" \
  "MATOML_LISTEN_HOST=127.0.0.1" "MATOML_LISTEN_PORT=$ML" \
  "MATOCS_LISTEN_HOST=127.0.0.1" "MATOCS_LISTEN_PORT=$CS" \
  "MATOCL_LISTEN_HOST=127.0.0.1" "MATOCL_LISTEN_PORT=$CL" \
  "HTTP_LISTEN_HOST=127.0.0.1" "HTTP_LISTEN_PORT=$HTTP"
from_sample mfsmetalogger.cfg.sample "$TMP/ml.cfg" "DATA_PATH=$TMP/ml" "WORKING_USER=$ME" \
  "MASTER_HOST=127.0.0.1" "MASTER_PORT=$ML"
for i in 0 1; do
  mkdir -p "$TMP/cs$i" "$TMP/hdd$i"
  cp "$PREFIX/etc/mfs/mfshdd.cfg.sample" "$TMP/hdd$i.cfg"
  echo "$TMP/hdd$i" >>"$TMP/hdd$i.cfg"
  from_sample mfschunkserver.cfg.sample "$TMP/cs$i.cfg" "DATA_PATH=$TMP/cs$i" \
    "WORKING_USER=$ME" "HDD_CONF_FILENAME=$TMP/hdd$i.cfg" "HDD_LEAVE_SPACE_DEFAULT=64MiB" \
    "MASTER_HOST=127.0.0.1" "MASTER_PORT=$CS" \
    "CSSERV_LISTEN_HOST=127.0.0.1" "CSSERV_LISTEN_PORT=$(free_port)"
done

echo "== start the servers (detached, as systemd would)"
"$PREFIX/sbin/mfsmaster" -c "$TMP/master.cfg" start || fail "mfsmaster start"
"$PREFIX/sbin/mfsmetalogger" -c "$TMP/ml.cfg" start || fail "mfsmetalogger start"
"$PREFIX/sbin/mfschunkserver" -c "$TMP/cs0.cfg" start || fail "mfschunkserver 0 start"
"$PREFIX/sbin/mfschunkserver" -c "$TMP/cs1.cfg" start || fail "mfschunkserver 1 start"

CLI=("$PREFIX/bin/mfscli" -H 127.0.0.1 -P "$CL")  # the client port, as MooseFS's mfscli
ok=0
for _ in $(seq 1 150); do
  if [ "$("${CLI[@]}" -SCS 2>/dev/null | grep -c ' ok ')" = 2 ]; then ok=1; break; fi
  sleep 0.2
done
[ $ok = 1 ] || { "${CLI[@]}" -SCS; fail "two chunkservers did not register"; }
"${CLI[@]}" -SCS

echo "== write and read a file through the installed mfsmount"
"$PREFIX/bin/mfsmount" "$MNT" -f -H 127.0.0.1 -P "$CL" >"$TMP/mount.log" 2>&1 &
MOUNT_PID=$!
for _ in $(seq 1 100); do mountpoint -q "$MNT" && break; sleep 0.1; done
mountpoint -q "$MNT" || { cat "$TMP/mount.log"; fail "mfsmount did not mount"; }
head -c 3000000 /dev/urandom >"$TMP/data"
cp "$TMP/data" "$MNT/file"
"$PREFIX/bin/mfssetgoal" 2 "$MNT/file" >/dev/null || fail "mfssetgoal"
sync
cmp "$TMP/data" "$MNT/file" || fail "the file read back differs"
"$PREFIX/bin/mfsgetgoal" "$MNT/file" | grep -q ': 2$' || fail "mfsgetgoal"
"$PREFIX/bin/mfsfileinfo" "$MNT/file"
fusermount3 -u "$MNT" 2>/dev/null || umount "$MNT"
wait "$MOUNT_PID" || true
MOUNT_PID=""
# File counts are refreshed every few seconds.
ok=0
for _ in $(seq 1 100); do
  if "${CLI[@]}" -SIN | grep -qE '^files +1$'; then ok=1; break; fi
  sleep 0.2
done
[ $ok = 1 ] || { "${CLI[@]}" -SIN; fail "mfscli -SIN: not 1 file"; }

echo "== stop"
for s in cs0:mfschunkserver cs1:mfschunkserver ml:mfsmetalogger master:mfsmaster; do
  name=${s%%:*}; prog=${s#*:}
  "$PREFIX/sbin/$prog" -c "$TMP/$name.cfg" stop >/dev/null || fail "$prog stop"
done
[ -f "$TMP/master/metadata.mfs" ] || fail "no metadata.mfs after a clean stop"
echo "install_test: OK"
