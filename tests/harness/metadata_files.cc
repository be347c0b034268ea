#include "tests/harness/metadata_files.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/harness/process.h"

namespace elk::test {

namespace fs = std::filesystem;

uint64_t LastChangelogVersion(const fs::path& changelog) {
  std::ifstream in(changelog);
  uint64_t last = 0;
  for (std::string line; std::getline(in, line);) {
    const uint64_t v = std::strtoull(line.c_str(), nullptr, 10);
    if (v > 0 && line.find(':') != std::string::npos) last = v;
  }
  return last;
}

int RunTool(const std::vector<std::string>& argv, const std::string& log,
            std::chrono::seconds limit) {
  auto p = Process::Spawn(argv, log);
  return p.ok() ? p->Wait(limit) : -1;
}

namespace {
std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

Result<std::string> DumpOfFolder(const Cluster& c, const std::string& data,
                                 const std::string& name) {
  const std::string copy = c.dir() + "/copy-" + name;
  fs::remove_all(copy);
  fs::create_directories(copy);
  for (const auto& e : fs::directory_iterator(data)) {
    if (e.is_regular_file()) fs::copy_file(e.path(), copy + "/" + e.path().filename().string());
  }
  const std::string bin = Cluster::BinDir();
  const std::string log = c.dir() + "/" + name + ".restore.log";
  if (RunTool({bin + "/mfsmetarestore", "-a", "-d", copy}, log) != 0) {
    return Status(Code::kInval, "mfsmetarestore of " + name + ":\n" + Slurp(log));
  }
  const std::string dump = c.dir() + "/" + name + ".dump";
  if (RunTool({bin + "/mfsmetadump", copy + "/metadata.mfs"}, dump) != 0) {
    return Status(Code::kInval, "mfsmetadump of " + name + ":\n" + Slurp(dump));
  }
  return Slurp(dump);
}

}  // namespace elk::test
