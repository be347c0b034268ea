// Fuzzes the mfsexports.cfg parser and the rule lookup. Names resolve through a fixed
// table so the fuzzer never reads the passwd database.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/cfg/exports_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using elk::cfg::UserIds;
  static const elk::cfg::IdResolver ids{
      [](std::string_view name) -> std::optional<UserIds> {
        if (name == "root") return UserIds{0, 0};
        return std::nullopt;
      },
      [](uint32_t uid) -> std::optional<UserIds> {
        if (uid == 0) return UserIds{0, 0};
        return std::nullopt;
      },
      [](std::string_view name) -> std::optional<uint32_t> {
        if (name == "root") return 0u;
        return std::nullopt;
      },
  };
  std::string_view text(reinterpret_cast<const char*>(data), size);
  elk::cfg::ExportsParse parsed = elk::cfg::ParseExports(text, "fuzz.cfg", ids);
  for (const auto& rule : parsed.rules) {
    if (rule.options.mingoal > rule.options.maxgoal) __builtin_trap();
    if (rule.address.from > rule.address.to) __builtin_trap();
    (void)elk::cfg::FindExport(parsed.rules, rule.address.from, rule.path);
    (void)elk::cfg::FindExport(parsed.rules, rule.address.to, "/a/b");
  }
  return 0;
}
