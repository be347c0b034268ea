#include "common/cfg/id_resolver.h"

#include <grp.h>
#include <pwd.h>

#include <string>
#include <vector>

namespace elk::cfg {
namespace {

constexpr size_t kBufferSize = 16384;

std::optional<UserIds> UserByName(std::string_view name) {
  std::string key(name);
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buffer(kBufferSize);
  if (getpwnam_r(key.c_str(), &pw, buffer.data(), buffer.size(), &found) != 0 || !found)
    return std::nullopt;
  return UserIds{pw.pw_uid, pw.pw_gid};
}

std::optional<UserIds> UserById(uint32_t uid) {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buffer(kBufferSize);
  if (getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found) != 0 || !found)
    return std::nullopt;
  return UserIds{pw.pw_uid, pw.pw_gid};
}

std::optional<uint32_t> GroupByName(std::string_view name) {
  std::string key(name);
  group gr{};
  group* found = nullptr;
  std::vector<char> buffer(kBufferSize);
  if (getgrnam_r(key.c_str(), &gr, buffer.data(), buffer.size(), &found) != 0 || !found)
    return std::nullopt;
  return gr.gr_gid;
}

}  // namespace

const IdResolver& SystemIdResolver() {
  static const IdResolver resolver{UserByName, UserById, GroupByName};
  return resolver;
}

}  // namespace elk::cfg
