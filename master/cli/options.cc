#include "master/cli/options.h"

#include <charconv>
#include <string_view>

#include "master/cli/sections.h"

namespace elk::cli {
namespace {

Result<uint16_t> ParsePort(std::string_view text) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v == 0 || v > 65535) {
    return Status(Code::kInval, "bad port '" + std::string(text) + "'");
  }
  return static_cast<uint16_t>(v);
}

// The value of an option given as "-Xvalue" or "-X value".
Result<std::string> ValueOf(int argc, const char* const* argv, int& i) {
  std::string_view arg = argv[i];
  if (arg.size() > 2) return std::string(arg.substr(2));
  if (i + 1 >= argc) return Status(Code::kInval, std::string(arg) + " needs a value");
  return std::string(argv[++i]);
}

}  // namespace

Result<Options> ParseOptions(int argc, const char* const* argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      o.help = true;
    } else if (arg == "-j") {
      o.json = true;
    } else if (arg == "-n") {
      o.plain_numbers = true;
    } else if (arg == "-p") {
      if (o.separator.empty()) o.separator = "\t";
      o.plain_numbers = true;
    } else if (arg == "-2" || arg == "-8") {
      // MooseFS's colour modes: the output here has no colours.
    } else if (arg.starts_with("-f") || arg.starts_with("-s")) {
      auto value = ValueOf(argc, argv, i);
      if (!value.ok()) return value.status();
      if (arg[1] == 's') {
        if (value->empty()) return Status(Code::kInval, "-s needs a separator");
        o.separator = *value;
        o.plain_numbers = true;
      }
    } else if (arg.starts_with("-H") || arg.starts_with("-P") || arg.starts_with("-S")) {
      auto value = ValueOf(argc, argv, i);
      if (!value.ok()) return value.status();
      if (arg[1] == 'H') o.host = *value;
      if (arg[1] == 'S') {
        if (FindSection(*value) == nullptr) {
          return Status(Code::kInval, "unknown section '" + *value + "'");
        }
        o.sections.push_back(*value);
      }
      if (arg[1] == 'P') {
        auto port = ParsePort(*value);
        if (!port.ok()) return port.status();
        o.port = *port;
      }
    } else {
      return Status(Code::kInval, "unknown argument '" + std::string(arg) + "'");
    }
  }
  if (!o.help && o.sections.empty()) return Status(Code::kInval, "no section given (-S...)");
  return o;
}

std::string Usage() {
  std::string out =
      "usage: mfscli [-hjpn] [-H master_host] [-P master_port] [-s separator] -S<SECTION> "
      "[-S<SECTION>...]\n"
      "  -H host   the master (default: mfsmaster)\n"
      "  -P port   the master's client port (default: 9421); each master answers about\n"
      "            itself, a follower too\n"
      "  -j        JSON instead of a table\n"
      "  -p        parsable rows: cells joined by a tab, plain numbers, no heading\n"
      "  -s sep    the same with this separator\n"
      "  -n        plain numbers (bytes, not KiB/MiB/...)\n"
      "  -f N, -2, -8  accepted (MooseFS's frames and colours); the output is plain text\n"
      "sections:\n";
  for (const Section& s : Sections())
    out += "  -S" + s.code + "  " + s.title + "\n";
  return out;
}

}  // namespace elk::cli
