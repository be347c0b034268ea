// Fuzzes the KEY = VALUE parser with a schema holding one key of every type.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/cfg/config_file.h"
#include "common/log/log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    elk::log::Setup({.ident = "fuzz", .to_syslog = false, .to_stderr = false});
    return true;
  }();
  (void)quiet;
  using elk::cfg::Key;
  static const elk::cfg::Schema schema{
      Key::String("S", "x"), Key::Integer("I", 5, 1, 100), Key::Size("Z", "1MiB"),
      Key::Bool("B", false), Key::Duration("D", 60),       Key::Double("F", 0.5, 0, 1),
      Key::Host("H", "*"),   Key::Port("P", 9421),         Key::Mode("M", 027),
  };
  elk::cfg::ConfigFile cfg(schema);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (cfg.LoadString(text, "fuzz.cfg").ok()) {
    (void)cfg.GetString("S");
    (void)cfg.GetInteger("I");
    (void)cfg.GetSize("Z");
    (void)cfg.GetBool("B");
    (void)cfg.GetDuration("D");
    (void)cfg.GetDouble("F");
    (void)cfg.GetHost("H");
    (void)cfg.GetPort("P");
    (void)cfg.GetMode("M");
  }
  return 0;
}
