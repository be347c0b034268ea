#pragma once
// Turns user and group names into ids for maproot=/mapall=. The system resolver asks the
// passwd and group databases; tests and fuzzers pass their own so results do not depend on
// the machine.

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace elk::cfg {

struct UserIds {
  uint32_t uid = 0;
  uint32_t gid = 0;  // the user's primary group
};

struct IdResolver {
  std::function<std::optional<UserIds>(std::string_view name)> user_by_name;
  std::function<std::optional<UserIds>(uint32_t uid)> user_by_id;
  std::function<std::optional<uint32_t>(std::string_view name)> group_by_name;
};

// getpwnam_r / getpwuid_r / getgrnam_r.
const IdResolver& SystemIdResolver();

}  // namespace elk::cfg
