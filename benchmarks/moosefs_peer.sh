#!/bin/bash
# MooseFS 3 from Debian's packages on loopback: the peer every ElkFS figure is compared with.
#   benchmarks/moosefs_peer.sh up   DIR   start master, 3 chunkservers; mount DIR/mnt
#   benchmarks/moosefs_peer.sh down DIR   unmount and stop what `up` started, by pid
# Ports: MFS_PORT_BASE (default 29400) + 19/20/21 for the master, +22/+32/+42 for the
# chunkservers, so neither ElkFS's nor MooseFS's default ports are taken.
set -euo pipefail
ACTION=${1:-}; DIR=${2:?usage: moosefs_peer.sh up|down DIR}; B=${MFS_PORT_BASE:-29400}

wait_port() { for _ in $(seq 1 300); do ss -ltn "sport = :$1" | grep -q LISTEN && return 0; sleep 0.1; done; return 1; }
bg() { local n=$1; shift; nohup "$@" >"$DIR/log/$n.log" 2>&1 </dev/null & echo $! >"$DIR/run/$n.pid"; }

up() {
  command -v mfsmaster >/dev/null && command -v mfsmount >/dev/null || \
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      moosefs-master moosefs-chunkserver moosefs-client >/dev/null
  mkdir -p "$DIR"/{etc,run,log,master,mnt}
  printf '127.0.0.1 / rw,alldirs,maproot=0\n' >"$DIR/etc/mfsexports.cfg"
  : >"$DIR/etc/mfstopology.cfg"
  # MooseFS 3 will not take chunkservers that register from 127.0.0.0/8. Remapping the
  # address it sees to 0.0.0.0 gets past that; connect() to 0.0.0.0 still stays on loopback.
  cat >"$DIR/etc/mfsmaster.cfg" <<EOC
WORKING_USER = nobody
WORKING_GROUP = nogroup
DATA_PATH = $DIR/master
EXPORTS_FILENAME = $DIR/etc/mfsexports.cfg
TOPOLOGY_FILENAME = $DIR/etc/mfstopology.cfg
MATOML_LISTEN_HOST = 127.0.0.1
MATOML_LISTEN_PORT = $((B + 19))
MATOCS_LISTEN_HOST = 127.0.0.1
MATOCS_LISTEN_PORT = $((B + 20))
MATOCL_LISTEN_HOST = 127.0.0.1
MATOCL_LISTEN_PORT = $((B + 21))
REMAP_BITS = 32
REMAP_SOURCE_IP_CLASS = 127.0.0.1
REMAP_DESTINATION_IP_CLASS = 0.0.0.0
EOC
  [ -e "$DIR/master/metadata.mfs" ] || cp /var/lib/mfs/metadata.mfs.empty "$DIR/master/metadata.mfs"
  for i in 1 2 3; do
    mkdir -p "$DIR/cs$i" "$DIR/hdd$i"
    echo "$DIR/hdd$i" >"$DIR/etc/mfshdd$i.cfg"
    cat >"$DIR/etc/mfschunkserver$i.cfg" <<EOC
WORKING_USER = nobody
WORKING_GROUP = nogroup
DATA_PATH = $DIR/cs$i
HDD_CONF_FILENAME = $DIR/etc/mfshdd$i.cfg
HDD_LEAVE_SPACE_DEFAULT = 256MiB
MASTER_HOST = 0.0.0.0
MASTER_PORT = $((B + 20))
BIND_HOST = 127.0.0.1
CSSERV_LISTEN_HOST = 127.0.0.1
CSSERV_LISTEN_PORT = $((B + 12 + 10 * i))
EOC
  done
  chown -R nobody:nogroup "$DIR/master" "$DIR"/cs[123] "$DIR"/hdd[123]
  bg master mfsmaster -f -c "$DIR/etc/mfsmaster.cfg"
  wait_port $((B + 21)) || { echo "moosefs_peer: master did not listen" >&2; exit 1; }
  for i in 1 2 3; do bg "cs$i" mfschunkserver -f -c "$DIR/etc/mfschunkserver$i.cfg"; done
  for i in 1 2 3; do wait_port $((B + 12 + 10 * i)) || { echo "moosefs_peer: chunkserver $i" >&2; exit 1; }; done
  sleep 3  # the chunkservers register with the master after they listen
  /usr/bin/mfsmount "$DIR/mnt" -H 127.0.0.1 -P $((B + 21)) >"$DIR/log/mount.log" 2>&1
}

down() {
  grep -q " $DIR/mnt fuse" /proc/mounts && { fusermount3 -u "$DIR/mnt" 2>/dev/null || umount -l "$DIR/mnt"; }
  for n in cs1 cs2 cs3 master; do
    local f=$DIR/run/$n.pid; [ -f "$f" ] || continue
    local p; p=$(cat "$f"); kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 1 600); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true; rm -f "$f"
  done
}

case $ACTION in up) up ;; down) down ;; *) echo "usage: $0 up|down DIR" >&2; exit 2 ;; esac
