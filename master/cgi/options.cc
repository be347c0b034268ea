#include "master/cgi/options.h"

#include <charconv>
#include <string_view>

namespace elk::cgi {
namespace {

Result<uint16_t> ParsePort(std::string_view text) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v == 0 || v > 65535) {
    return Status(Code::kInval, "bad port '" + std::string(text) + "'");
  }
  return static_cast<uint16_t>(v);
}

// "-Xvalue" or "-X value".
Result<std::string> ValueOf(int argc, const char* const* argv, int& i) {
  std::string_view arg = argv[i];
  if (arg.size() > 2) return std::string(arg.substr(2));
  if (i + 1 >= argc) return Status(Code::kInval, std::string(arg) + " needs a value");
  return std::string(argv[++i]);
}

Status TakeValue(char option, const std::string& value, Options& o) {
  switch (option) {
    case 'H':
      o.bind_host = value;
      return Status::Ok();
    case 'M':
      o.master_host = value;
      return Status::Ok();
    case 'P':
    case 'N': {
      auto port = ParsePort(value);
      if (!port.ok()) return port.status();
      (option == 'P' ? o.bind_port : o.master_port) = *port;
      return Status::Ok();
    }
    default:  // -R, -t: MooseFS's page files and locale; nothing to choose here
      return Status::Ok();
  }
}

}  // namespace

Result<Options> ParseOptions(int argc, const char* const* argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      o.help = true;
    } else if (arg == "-f") {
      o.foreground = true;
    } else if (arg == "-v") {
      o.verbose = true;
    } else if (arg == "start") {
    } else if (arg.size() >= 2 && arg[0] == '-' &&
               std::string_view("HPMNRt").find(arg[1]) != std::string_view::npos) {
      auto value = ValueOf(argc, argv, i);
      if (!value.ok()) return value.status();
      ELK_RETURN_IF_ERROR(TakeValue(arg[1], *value, o));
    } else if (arg == "stop" || arg == "restart" || arg == "test") {
      return Status(Code::kInval, "'" + std::string(arg) +
                                      "': run mfscgiserv -f under a service manager (systemd: "
                                      "mfscgiserv.service) and stop it there");
    } else {
      return Status(Code::kInval, "unknown argument '" + std::string(arg) + "'");
    }
  }
  return o;
}

std::string Usage() {
  return "usage: mfscgiserv [-H bind_host] [-P bind_port] [-M master_host] [-N master_port]\n"
         "                  [-R rootpath] [-t locale] [-f [-v]] [start]\n"
         "  -H host  address to serve on (default: every address)\n"
         "  -P port  port to serve on (default: 9425)\n"
         "  -M host  the master shown when the address names none (default: mfsmaster)\n"
         "  -N port  its client port (default: 9421)\n"
         "  -f       stay in the foreground; -v: print each request on stderr\n"
         "  -R, -t   accepted, change nothing (the pages are built into mfsmaster)\n"
         "pages: /mfs.cgi?masterhost=HOST&masterport=PORT&sections=IN|CS|HD|..., /,\n"
         "/api/v1/<section>, /metrics: each is the master's own monitor page, read through\n"
         "its client port\n";
}

}  // namespace elk::cgi
