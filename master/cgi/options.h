#pragma once
// mfscgiserv's command line, as MooseFS's:
//
//   mfscgiserv [-H BIND_HOST] [-P BIND_PORT] [-R ROOT_PATH] [-t LOCALE] [-f [-v]] [start]
//
// plus -M MASTER_HOST and -N MASTER_PORT: the master shown when the address names none
// (MooseFS's mfs.cgi takes masterhost= and masterport=; the defaults are mfsmaster:9421).

#include <cstdint>
#include <string>

#include "common/status.h"

namespace elk::cgi {

struct Options {
  std::string bind_host = "*";
  uint16_t bind_port = 9425;
  std::string master_host = "mfsmaster";
  uint16_t master_port = 9421;
  bool foreground = false;
  bool verbose = false;  // -v: each request on stderr (with -f)
  bool help = false;
};

// argv[0] is skipped; kInval with the reason on a bad command line. -R and -t are
// accepted and change nothing (the pages are built in, in English).
Result<Options> ParseOptions(int argc, const char* const* argv);
std::string Usage();

}  // namespace elk::cgi
