#!/bin/bash
# Debian package test: build the .debs with cpack, check their control fields and contents,
# then install them with dpkg in a throw-away overlay of / (in new mount, pid and network
# namespaces, so the host's files, processes and ports are untouched) and run a cluster
# from the installed units there: deb_test_chroot.sh. Fails, never skips, when a tool is
# missing (it asks apt-get for the Debian package first).
#   packaging/deb_test.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d /tmp/elkfs-deb-XXXXXX)

fail() { echo "deb_test: FAIL: $*" >&2; exit 1; }
cleanup() {
  set +e
  # The overlay and anything mounted in it went with the namespaces; only files remain.
  rm -rf "$TMP"
}
trap cleanup EXIT

# tool:Debian package that ships it.
need=(cpack:cmake dpkg-deb:dpkg dpkg-shlibdeps:dpkg-dev unshare:util-linux chroot:coreutils
      fusermount3:fuse3 adduser:adduser deb-systemd-helper:init-system-helpers ip:iproute2
      systemd-analyze:systemd man:man-db mountpoint:util-linux)
missing=()
for t in "${need[@]}"; do command -v "${t%%:*}" >/dev/null || missing+=("${t#*:}"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deb_test: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    "${missing[@]}" >"$TMP/apt.log" 2>&1 ||
    { cat "$TMP/apt.log"; fail "apt-get install ${missing[*]}"; }
fi
for t in "${need[@]}"; do command -v "${t%%:*}" >/dev/null || fail "${t%%:*} not found"; done
[ "$(id -u)" = 0 ] || fail "needs root (dpkg -i in an overlay of /, unshare)"
[ -c /dev/fuse ] || fail "no /dev/fuse"

echo "== cpack"
(cd "$TMP" && cpack -G DEB -B "$TMP/debs" --config "$BUILD/CPackConfig.cmake") \
  >"$TMP/cpack.log" 2>&1 || { cat "$TMP/cpack.log"; fail "cpack"; }
deb() { compgen -G "$TMP/debs/elkfs-$1_*.deb" || fail "no elkfs-$1 package"; }
field() { dpkg-deb -f "$(deb "$1")" "$2"; }

echo "== control fields"
for role in master chunkserver metalogger client cli; do
  [ "$(field $role Conflicts)" = "moosefs-$role" ] ||
    fail "elkfs-$role: Conflicts is not moosefs-$role"
done
[ "$(field cgi Conflicts)" = moosefs-cgiserv ] || fail "elkfs-cgi: Conflicts is not moosefs-cgiserv"
for role in master chunkserver metalogger cgi volumes; do
  field $role Depends | grep -q 'elkfs-common (= ' ||
    fail "elkfs-$role does not depend on elkfs-common"
  field $role Depends | grep -q 'libc6 (>= ' || fail "elkfs-$role: no shlibdeps in Depends"
done
field client Depends | grep -q 'libfuse3-3' || fail "elkfs-client: Depends lacks libfuse3-3"
field client Depends | grep -qE '(^|, )fuse3($|[ ,])' || fail "elkfs-client: Depends lacks fuse3"
field common Depends | grep -q 'adduser' || fail "elkfs-common: Depends lacks adduser"
for f in "$TMP"/debs/*.deb; do
  name=$(dpkg-deb -f "$f" Package)
  # Not piped into grep -q: dpkg-deb would die of SIGPIPE, and pipefail report that.
  listing=$(dpkg-deb -c "$f")
  grep -q "/usr/share/doc/$name/copyright$" <<<"$listing" || fail "$name: no copyright"
  echo "$name: $(dpkg-deb -f "$f" Depends)"
done

echo "== contents"
contents() { dpkg-deb -c "$(deb "$1")" | awk '{print $6}' | sed 's|^\.||'; }
expect_in() {
  local role=$1; shift
  local list; list=$(contents "$role")
  for p in "$@"; do grep -qx "$p" <<<"$list" || fail "elkfs-$role lacks $p"; done
}
expect_in master /usr/sbin/mfsmaster /usr/sbin/mfsmetarestore /usr/sbin/mfsmetadump \
  /etc/mfs/mfsmaster.cfg.sample /etc/mfs/mfsexports.cfg.sample \
  /usr/lib/systemd/system/mfsmaster.service /usr/share/man/man8/mfsmaster.8.gz \
  /usr/share/man/man8/mfsmetarestore.8.gz /usr/share/man/man8/mfsmetadump.8.gz
expect_in chunkserver /usr/sbin/mfschunkserver /etc/mfs/mfschunkserver.cfg.sample \
  /etc/mfs/mfshdd.cfg.sample /usr/lib/systemd/system/mfschunkserver.service \
  /usr/share/man/man8/mfschunkserver.8.gz
expect_in metalogger /usr/sbin/mfsmetalogger /etc/mfs/mfsmetalogger.cfg.sample \
  /usr/lib/systemd/system/mfsmetalogger.service /usr/share/man/man8/mfsmetalogger.8.gz
expect_in client /usr/bin/mfsmount /usr/bin/mfstools /usr/bin/mfsgetgoal \
  /etc/mfs/mfsmount.cfg.sample /usr/share/man/man1/mfsmount.1.gz \
  /usr/share/man/man1/mfstools.1.gz /usr/share/man/man1/mfsgetgoal.1.gz
expect_in cli /usr/bin/mfscli /usr/share/man/man1/mfscli.1.gz
expect_in cgi /usr/sbin/mfscgiserv /usr/lib/systemd/system/mfscgiserv.service \
  /usr/share/man/man8/mfscgiserv.8.gz
expect_in volumes /usr/sbin/mfsiscsid /usr/bin/mfsvolume /etc/mfs/mfsiscsid.cfg.sample \
  /etc/mfs/mfsvolume.cfg.sample /usr/lib/systemd/system/mfsiscsid.service \
  /usr/lib/python3/dist-packages/elkfs.py /usr/share/man/man8/mfsiscsid.8.gz \
  /usr/share/man/man1/mfsvolume.1.gz
postinst=$(dpkg-deb -I "$(deb master)" postinst)
grep -q "deb-systemd-helper enable 'mfsmaster.service'" <<<"$postinst" ||
  fail "elkfs-master's postinst does not enable mfsmaster.service"

echo "== install and run in an overlay of /"
# --kill-child: if this script is killed, unshare's child (pid 1 there) and all it
# started die with it.
timeout 400 unshare --mount --pid --net --fork --kill-child \
  "$HERE/deb_test_chroot.sh" "$TMP" "$TMP/debs" || fail "in the overlay (see above)"
echo "deb_test: OK"
