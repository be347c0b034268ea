#pragma once
// mfscli's command line, as MooseFS's: -H host, -P port, one or more -S<SECTION> (or
// "-S SECTION"), -j for JSON, -p / -s SEP for parsable rows, -n for plain numbers, -h for
// help. -f (frames) and -2/-8 (colours) are accepted and change nothing: the tables are
// plain text.

#include <string>
#include <vector>

#include "common/status.h"

namespace elk::cli {

struct Options {
  std::string host = "mfsmaster";
  uint16_t port = 9421;               // the master's client port, as MooseFS's mfscli
  std::vector<std::string> sections;  // codes: "IN", "CS", ...
  bool json = false;
  bool plain_numbers = false;
  std::string separator;  // -p: "\t"; -s SEP: SEP
  bool help = false;
  int timeout_seconds = 10;
};

// argv[0] is skipped. kInval with the reason on a bad command line.
Result<Options> ParseOptions(int argc, const char* const* argv);
std::string Usage();

}  // namespace elk::cli
