// The installed sample configs must list every key each program knows, with the program's
// own default, and nothing else; the exports and hdd samples must parse. So a key added to a
// schema without its sample line fails here rather than surprising an operator.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "chunkserver/server/config.h"
#include "common/cfg/exports_file.h"
#include "common/cfg/hdd_file.h"
#include "common/daemon/process_setup.h"
#include "master/server/config.h"
#include "metalogger/config.h"
#include "cinderdriver/iscsid/config.h"

namespace elk {
namespace {

std::string Read(const std::string& name) {
  std::ifstream in(std::string(ELKFS_SAMPLES_DIR) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// "# KEY = value" lines: the commented-out settings.
std::map<std::string, std::string> SampleKeys(const std::string& text) {
  static const std::regex kLine(R"(^# ([A-Z][A-Z0-9_]*) = ?(.*)$)");
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, kLine)) out[m[1]] = m[2];
  }
  return out;
}

void ExpectMatchesSchema(const std::string& program, cfg::Schema schema) {
  schema.Merge(daemon::CommonDaemonKeys(program));
  auto sample = SampleKeys(Read(program + ".cfg.sample"));
  ASSERT_FALSE(sample.empty()) << program;
  for (const cfg::Key& key : schema.keys()) {
    auto it = sample.find(key.name);
    ASSERT_NE(it, sample.end()) << program << ": no sample line for " << key.name;
    EXPECT_EQ(it->second, key.default_text) << program << ": default of " << key.name;
    EXPECT_TRUE(cfg::ParseValue(key, it->second).ok()) << program << ": " << key.name;
  }
  for (const auto& [name, value] : sample)
    EXPECT_NE(schema.Find(name), nullptr) << program << ": the sample names unknown " << name;
}

TEST(ConfigSamplesTest, MasterChunkserverMetalogger) {
  ExpectMatchesSchema("mfsmaster", master::MasterKeys());
  ExpectMatchesSchema("mfschunkserver", chunkserver::ChunkserverKeys());
  ExpectMatchesSchema("mfsmetalogger", metalogger::MetaloggerKeys());
  ExpectMatchesSchema("mfsiscsid", iscsid::IscsidKeys());
}

TEST(ConfigSamplesTest, ExportsAndHddParse) {
  auto rules = cfg::ParseExportsStrict(Read("mfsexports.cfg.sample"), "mfsexports.cfg.sample",
                                       cfg::SystemIdResolver());
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ(rules->size(), 2u);
  EXPECT_TRUE(cfg::ParseHddFile(Read("mfshdd.cfg.sample"), "mfshdd.cfg.sample").ok());
  EXPECT_NE(Read("mfsmount.cfg.sample").find("mfsmaster"), std::string::npos);
}

}  // namespace
}  // namespace elk
