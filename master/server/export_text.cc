// mfsexports.cfg rules back to text, for the monitor's exports and mounts tables.
#include <fmt/format.h>

#include <cstdint>

#include "common/net/address.h"
#include "master/server/monitor_feed.h"

namespace elk::master {

std::string ExportAddressText(const cfg::AddressRange& r) {
  if (r.from == 0 && r.to == UINT32_MAX) return "*";
  if (r.from == r.to) return net::FormatIp(r.from);
  return net::FormatIp(r.from) + "-" + net::FormatIp(r.to);
}

std::string ExportOptionsText(const cfg::ExportOptions& o) {
  std::string out = o.readonly ? "ro" : "rw";
  auto add = [&](const std::string& item) { out += "," + item; };
  if (o.alldirs) add("alldirs");
  if (o.dynamicip) add("dynamicip");
  if (o.ignoregid) add("ignoregid");
  if (o.admin) add("admin");
  if (o.nonrootmeta) add("nonrootmeta");
  if (!o.minversion.empty()) add("minversion=" + o.minversion);
  add(fmt::format("maproot={}:{}", o.maproot.uid, o.maproot.gid));
  if (o.mapall) add(fmt::format("mapall={}:{}", o.mapall->uid, o.mapall->gid));
  if (o.password_md5) add("password");  // never the password itself
  if (o.mingoal != 1) add(fmt::format("mingoal={}", o.mingoal));
  if (o.maxgoal != 9) add(fmt::format("maxgoal={}", o.maxgoal));
  if (o.mintrashtime != 0) add(fmt::format("mintrashtime={}", o.mintrashtime));
  if (o.maxtrashtime != UINT32_MAX) add(fmt::format("maxtrashtime={}", o.maxtrashtime));
  return out;
}

}  // namespace elk::master
