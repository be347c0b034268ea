// libFuzzer target: changelog replay. Each input line is a record body
// ("<ts>|<OP>(<args>)[:<result>]"; the line's CRC framing is fuzzed by changelog_record_fuzz)
// replayed, in order, into a fresh file system. Replay must refuse what it cannot apply
// with an error and never crash, whatever the arguments name. Replay stops at the first
// refusal, as loading a changelog does.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "master/meta/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto md = elk::master::Metadata::FromImage(nullptr);
  if (!md.ok()) __builtin_trap();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  uint64_t version = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    elk::changelog::Record record;
    record.version = ++version;
    record.body = std::string(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!(*md)->Replay(record).ok()) break;
  }
  return 0;
}
