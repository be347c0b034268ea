#!/bin/bash
# The part of deb_test.sh that runs inside `unshare --mount --pid --net --fork`: an overlay
# of / (upper layer in TMP) as a chroot where the packages are installed with dpkg -i,
# maintainer scripts and all; then, as systemd cannot run there, each unit's ExecStart
# line is run as the unit's User: a master, a metalogger and three chunkservers on
# 127.0.0.1 (this network namespace's own, so the default ports are free), a file is
# written and read through the packaged mfsmount, and every file the servers made in
# /var/lib/mfs must belong to mfs.
#   deb_test_chroot.sh TMP DEBS_DIR
set -euo pipefail
TMP=$1
DEBS=$2
R=$TMP/root
PIDS=()

fail() { echo "deb_test: FAIL: $*" >&2; exit 1; }
in_root() { chroot "$R" "$@"; }
cleanup() {
  set +e
  if mountpoint -q "$R/mnt/elkfs"; then
    in_root fusermount3 -u /mnt/elkfs || umount -l "$R/mnt/elkfs"
  fi
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  umount -R -l "$R" 2>/dev/null
}
trap cleanup EXIT

mount --make-rprivate /
mkdir -p "$TMP/upper" "$TMP/work" "$R"
mount -t overlay overlay -o "lowerdir=/,upperdir=$TMP/upper,workdir=$TMP/work" "$R"
mount --rbind /dev "$R/dev"
mount -t proc proc "$R/proc"
mount --rbind /sys "$R/sys"
# No systemd here (as in a container): the maintainer scripts must cope with that.
mount -t tmpfs tmpfs "$R/run"
mount -t tmpfs tmpfs "$R/tmp"
ip link set lo up
mkdir -p "$R/root/debs" "$R/mnt/elkfs"
cp "$DEBS"/*.deb "$R/root/debs/"
export DEBIAN_FRONTEND=noninteractive

echo "== Conflicts: refused beside Debian's moosefs-master"
# shellcheck disable=SC2016  # dpkg-query's format, not the shell's
old=$(in_root dpkg-query -W -f '${Package} ${db:Status-Status}\n' 'moosefs-*' libmfsio1 \
  2>/dev/null | awk '$2 == "installed" {print $1}') || true
if grep -qx moosefs-master <<<"$old"; then
  if in_root sh -c 'dpkg -i /root/debs/elkfs-common_*.deb /root/debs/elkfs-master_*.deb' \
      >"$TMP/conflict.log" 2>&1; then
    fail "elkfs-master installed beside moosefs-master"
  fi
  grep -q "conflict" "$TMP/conflict.log" ||
    { cat "$TMP/conflict.log"; fail "not refused for a conflict"; }
  # shellcheck disable=SC2086  # one word per package
  in_root dpkg --purge $old >"$TMP/purge.log" 2>&1 ||
    { cat "$TMP/purge.log"; fail "purge moosefs"; }
else
  echo "(moosefs-master is not installed on this host; the Conflicts field was checked only)"
fi
# A system without mfs, so the postinst is seen making it.
in_root sh -c 'userdel mfs 2>/dev/null; groupdel mfs 2>/dev/null; rm -rf /var/lib/mfs /etc/mfs'
in_root getent passwd mfs >/dev/null && fail "could not remove the user mfs"

echo "== dpkg -i"
in_root sh -c 'dpkg -i /root/debs/*.deb' >"$TMP/dpkg.log" 2>&1 ||
  { cat "$TMP/dpkg.log"; fail "dpkg -i"; }
in_root dpkg-query -W 'elkfs-*'
in_root getent passwd mfs || fail "postinst made no user mfs"
in_root getent group mfs >/dev/null || fail "postinst made no group mfs"
# Names looked up in the overlay: mfs's uid there need not be the host's.
[ "$(in_root stat -c %U:%G /var/lib/mfs)" = mfs:mfs ] || fail "/var/lib/mfs does not belong to mfs"
in_root /var/lib/dpkg/info/elkfs-common.postinst configure || fail "postinst run again"
for u in mfsmaster mfschunkserver mfsmetalogger mfsiscsid mfscgiserv; do
  link=$R/etc/systemd/system/multi-user.target.wants/$u.service
  [ -L "$link" ] || fail "$u.service not enabled (no $link)"
  [ -f "$R$(readlink "$link")" ] || fail "$link points at nothing"
done
for p in mfsmaster mfsmetarestore mfsmetadump mfschunkserver mfsmetalogger mfsiscsid mfsmount \
         mfscli mfscgiserv mfstools mfsgetgoal mfsvolume; do
  in_root man -w "$p" | grep -q '\.gz$' || fail "no man page for $p"
done
units=(/lib/systemd/system/mfs{master,chunkserver,metalogger,iscsid,cgiserv}.service)
in_root systemd-analyze verify "${units[@]}" || fail "systemd-analyze verify"

echo "== configs from the installed samples"
from_sample() {  # sample out KEY=VALUE...: each key's commented-out line becomes a setting
  local sample=$1 out=$2; shift 2
  mkdir -p "$(dirname "$R$out")"
  cp "$R/etc/mfs/$sample" "$R$out"
  for kv in "$@"; do
    grep -q "^# ${kv%%=*} = " "$R$out" || fail "$sample has no line for ${kv%%=*}"
    sed -i "s|^# ${kv%%=*} = .*|${kv%%=*} = ${kv#*=}|" "$R$out"
  done
}
cp "$R/etc/mfs/mfsexports.cfg.sample" "$R/etc/mfs/mfsexports.cfg"
from_sample mfsmaster.cfg.sample /etc/mfs/mfsmaster.cfg
from_sample mfsmetalogger.cfg.sample /etc/mfs/mfsmetalogger.cfg MASTER_HOST=127.0.0.1
# The first chunkserver uses the default config and DATA_PATH, as the unit runs it; the
# other two, on other ports, get -c (as an administrator's extra unit would).
for i in 1 2 3; do
  dir=/etc/mfs; data=/var/lib/mfs
  [ $i = 1 ] || { dir=/etc/mfs/cs$i; data=/var/lib/mfs/cs$i; }
  in_root install -d -o mfs -g mfs "$data" "/var/lib/mfs/hdd$i"
  mkdir -p "$R$dir"
  { cat "$R/etc/mfs/mfshdd.cfg.sample"; echo "/var/lib/mfs/hdd$i"; } >"$R$dir/mfshdd.cfg"
  from_sample mfschunkserver.cfg.sample "$dir/mfschunkserver.cfg" MASTER_HOST=127.0.0.1 \
    "DATA_PATH=$data" "HDD_CONF_FILENAME=$dir/mfshdd.cfg" HDD_LEAVE_SPACE_DEFAULT=64MiB \
    "CSSERV_LISTEN_PORT=$((9322 + 100 * i))"
done

# start NAME UNIT [ARG...]: the unit's ExecStart (ARGs put after the program), as its User.
start() {
  local name=$1 unit=$R/lib/systemd/system/$2.service; shift 2
  local exec user
  exec=$(sed -n 's/^ExecStart=//p' "$unit")
  user=$(sed -n 's/^User=//p' "$unit")
  if [ -z "$exec" ] || [ -z "$user" ]; then fail "$unit: no ExecStart or User"; fi
  read -r -a words <<<"$exec"
  # "$VAR" words are systemd's environment (EnvironmentFile): unset here, so nothing.
  local args=() w
  for w in "${words[@]:1}"; do [[ $w == \$* ]] || args+=("$w"); done
  echo "$name: ${words[0]} $* ${args[*]} (as $user)"
  # Numeric ids, from the overlay's passwd (chroot may look names up on the host's).
  local uid gid
  uid=$(in_root id -u "$user") || fail "no user $user"
  gid=$(in_root id -g "$user")
  chroot --userspec="$uid:$gid" --groups="$gid" "$R" "${words[0]}" "$@" "${args[@]}" \
    >"$TMP/$name.log" 2>&1 &
  PIDS+=($!)
}
wait_for() {  # seconds what command...: polls until the command succeeds
  local secs=$1 what=$2; shift 2
  for _ in $(seq 1 $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  tail -n 20 "$TMP"/*.log >&2
  fail "$what: not within $secs s"
}
cli() { in_root mfscli -H 127.0.0.1 "$@"; }

echo "== start the servers from their units"
start master mfsmaster
wait_for 30 "master's monitor answering" cli -SIN
start metalogger mfsmetalogger
start cs1 mfschunkserver
start cs2 mfschunkserver -c /etc/mfs/cs2/mfschunkserver.cfg
start cs3 mfschunkserver -c /etc/mfs/cs3/mfschunkserver.cfg
three_ok() { [ "$(cli -SCS | grep -c ' ok ')" = 3 ]; }
wait_for 40 "three chunkservers registered" three_ok
one_ml() { [ "$(cli -p -SML | grep -c .)" -ge 1 ]; }
wait_for 30 "metalogger connected" one_ml
cli -SCS

echo "== the monitor pages from the packaged mfscgiserv (9425 is the master's own monitor)"
start cgi mfscgiserv -H 127.0.0.1 -P 9426 -M 127.0.0.1
cgi_page() {  # the chunkservers' section of mfs.cgi names the three servers
  local page
  page=$(exec 3<>/dev/tcp/127.0.0.1/9426 &&
    printf 'GET /mfs.cgi?sections=CS HTTP/1.0\r\n\r\n' >&3 && cat <&3) || return 1
  [[ $page == "HTTP/1.1 200"* ]] && [ "$(grep -o '127\.0\.0\.1:9[0-9]22' <<<"$page" | sort -u | wc -l)" = 3 ]
}
wait_for 20 "mfscgiserv serving the chunkservers' section" cgi_page

echo "== a file through the packaged mfsmount"
in_root mfsmount /mnt/elkfs -f -H 127.0.0.1 >"$TMP/mount.log" 2>&1 &
PIDS+=($!)
wait_for 20 "mfsmount mounted" mountpoint -q "$R/mnt/elkfs"
mkdir "$R/mnt/elkfs/three"
in_root mfssetgoal 3 /mnt/elkfs/three >/dev/null || fail "mfssetgoal"
head -c 5000000 /dev/urandom >"$R/root/data"
cp "$R/root/data" "$R/mnt/elkfs/three/file"
sync "$R/mnt/elkfs/three/file"
cmp "$R/root/data" "$R/mnt/elkfs/three/file" || fail "the file read back differs"
three_copies() { [ "$(in_root mfsfileinfo /mnt/elkfs/three/file | grep -c 'copy [0-9]')" = 3 ]; }
wait_for 30 "three copies of the file's chunk" three_copies
in_root mfsfileinfo /mnt/elkfs/three/file
in_root fusermount3 -u /mnt/elkfs || fail "fusermount3 -u"

echo "== stop (SIGTERM, as systemd stops a unit)"
for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
  pid=${PIDS[i]}
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && fail "pid $pid still runs 30 s after SIGTERM"
  wait "$pid" || true
done
PIDS=()
[ -f "$R/var/lib/mfs/metadata.mfs" ] || { tail -n 20 "$TMP/master.log"; fail "no metadata.mfs"; }
in_root ls -la /var/lib/mfs
strangers=$(in_root find /var/lib/mfs ! -user mfs)
[ -z "$strangers" ] || fail "in /var/lib/mfs, not mfs's: $strangers"
compgen -G "$R/var/lib/mfs/hdd1/*" >/dev/null || fail "the first chunkserver stored nothing"

echo "== dpkg -r masks the unit, --purge forgets it"
in_root dpkg -r elkfs-metalogger >"$TMP/remove.log" 2>&1 ||
  { cat "$TMP/remove.log"; fail "dpkg -r"; }
[ "$(readlink "$R/etc/systemd/system/mfsmetalogger.service")" = /dev/null ] || fail "not masked"
in_root dpkg --purge elkfs-metalogger >>"$TMP/remove.log" 2>&1 || fail "dpkg --purge"
[ -e "$R/etc/systemd/system/multi-user.target.wants/mfsmetalogger.service" ] &&
  fail "purge left mfsmetalogger.service enabled"
[ -L "$R/etc/systemd/system/mfsmetalogger.service" ] && fail "purge left the mask"
echo "deb_test: in the overlay: OK"
