#!/bin/bash
# Installs every build and test dependency of ElkFS from Debian, by package name.
# A no-op (no apt-get at all) when everything is already installed.
set -euo pipefail

PACKAGES=(
  cmake g++ make pkg-config git
  clang libclang-rt-14-dev clang-format
  libfuse3-dev fuse3
  libaio-dev libssl-dev libzstd-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev libfmt-dev
  libcpp-httplib-dev nlohmann-json3-dev chromium
  attr acl xxd procps iproute2 psmisc
  libiscsi-bin qemu-utils qemu-block-extra tgt fio python3-cinder
  etcd-server curl
  dpkg-dev adduser init-system-helpers man-db systemd
)
if [ "${ELKFS_DEPS_EXTRA:-}" != "" ]; then
  # shellcheck disable=SC2206
  PACKAGES+=(${ELKFS_DEPS_EXTRA})
fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
