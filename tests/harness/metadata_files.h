#pragma once
// What the integration tests read from a master's or metalogger's folder from outside: the
// newest changelog version, and the whole metadata as mfsmetadump prints it, rebuilt with
// mfsmetarestore from a copy (the owner keeps running). Also the one way they run a tool.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/harness/cluster.h"

namespace elk::test {

// The version of the last record in a changelog file ("N: ts|OP(...)"), 0 if none.
uint64_t LastChangelogVersion(const std::filesystem::path& changelog);

// Runs a program to its end, its output in `log`; its exit status (-1: it did not start or
// still ran after `limit`, then it is killed).
int RunTool(const std::vector<std::string>& argv, const std::string& log,
            std::chrono::seconds limit = std::chrono::seconds(60));

// The metadata `data` holds: the folder's files are copied to <cluster dir>/copy-<name>,
// `mfsmetarestore -a` rebuilds an image from them the way a restart would, and mfsmetadump
// prints it. An error carries the tool's output.
Result<std::string> DumpOfFolder(const Cluster& c, const std::string& data,
                                 const std::string& name);

}  // namespace elk::test
