// mfstools: the MooseFS tools in one program, run through its symlinks (mfsgetgoal, ...).

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "mount/tools/default_backend.h"
#include "mount/tools/dispatch.h"
#include "mount/tools/path_probe.h"

namespace {

elk::tools::Credentials CallerCredentials() {
  elk::tools::Credentials creds;
  creds.uid = static_cast<uint32_t>(::getuid());
  creds.gid = static_cast<uint32_t>(::getgid());
  std::vector<gid_t> groups(static_cast<size_t>(std::max(::getgroups(0, nullptr), 0)));
  int n = ::getgroups(static_cast<int>(groups.size()), groups.data());
  for (int i = 0; i < n; ++i) {
    gid_t g = groups[static_cast<size_t>(i)];
    if (g != creds.gid) creds.groups.push_back(static_cast<uint32_t>(g));
  }
  return creds;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  elk::tools::PosixPathProbe probe;
  const char* hrformat = std::getenv("MFSHRFORMAT");
  elk::tools::ToolEnv env{std::cout,
                          std::cerr,
                          probe,
                          elk::tools::DefaultBackendFactory(),
                          CallerCredentials(),
                          hrformat ? std::optional<std::string>(hrformat) : std::nullopt,
                          STDERR_FILENO,
                          {}};
  int rc = elk::tools::MultiCallMain(env, args);
  std::cout.flush();
  return rc;
}
