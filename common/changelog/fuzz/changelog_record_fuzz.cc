// libFuzzer target: the changelog record codec. The input is used three ways:
// - as a whole line for ParseRecord (the CRC makes most inputs fail early, which is the
//   point: a damaged line must be refused, never misread);
// - as a body, framed by FormatRecord, which must parse back to the same version and body;
// - as a body for BodyReader, whose typed getters are all tried on every argument.
// Also: UnescapeString(EscapeString(x)) == x for any bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/changelog/record.h"

namespace {

using namespace elk::changelog;

void ReadEveryArgument(std::string_view body) {
  auto reader = BodyReader::Parse(body);
  if (!reader.ok()) return;
  // Each argument is read once; the getter is picked by its position so all four run.
  for (size_t i = 0; !reader->AtEnd(); ++i) {
    switch (i % 4) {
      case 0:
        (void)reader->Num();
        break;
      case 1:
        (void)reader->Str();
        break;
      case 2:
        (void)reader->Time();
        break;
      default:
        (void)reader->Char();
        break;
    }
    if (i > reader->arg_count()) __builtin_trap();  // a getter failed to move on
  }
}

void CheckFraming(std::string_view body) {
  if (body.find('\n') != std::string_view::npos) return;  // never a body: lines end there
  const uint64_t version = body.size() * 7919;
  std::string line = FormatRecord(version, body);
  if (line.empty() || line.back() != '\n') __builtin_trap();
  line.pop_back();
  auto back = ParseRecord(line);
  if (!back.ok() || back->version != version || back->body != body) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto record = ParseRecord(text);
  if (record.ok()) ReadEveryArgument(record->body);
  ReadEveryArgument(text);
  CheckFraming(text);
  (void)UnescapeString(text);
  auto again = UnescapeString(EscapeString(text));
  if (!again.ok() || *again != text) __builtin_trap();
  return 0;
}
