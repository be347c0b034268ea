#include "common/cfg/config_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "common/log/log.h"

namespace elk::cfg {
namespace {

Schema MasterLike() {
  return Schema{
      Key::Integer("CHUNKS_LOOP_TIME", 300, 1, 7200),
      Key::Size("HDD_LEAVE_SPACE_DEFAULT", "256MiB"),
      Key::Bool("LOCK_MEMORY", false),
      Key::Duration("REPLICATIONS_DELAY_INIT", 300),
      Key::Double("ACCEPTABLE_DIFFERENCE", 0.1, 0.0, 10.0),
      Key::Host("MATOCL_LISTEN_HOST", "*").WithAlias("MATOCU_LISTEN_HOST").GuardsAccess(),
      Key::Port("MATOCL_LISTEN_PORT", 9421).WithAlias("MATOCU_LISTEN_PORT"),
      Key::Integer("CHUNKS_WRITE_REP_LIMIT", 2, 1, 1000).FirstOfList(),
      Key::String("SYSLOG_IDENT", "mfsmaster"),
      Key::Mode("FILE_UMASK", 027),
  };
}

class TempFile {
 public:
  TempFile() {
    char name[] = "/tmp/elkcfg_test_XXXXXX";
    int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    path_ = name;
  }
  ~TempFile() { unlink(path_.c_str()); }
  void Write(const std::string& text) const { std::ofstream(path_) << text; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ConfigFile, DefaultsWhenNothingLoaded) {
  ConfigFile cfg(MasterLike());
  EXPECT_EQ(cfg.GetInteger("CHUNKS_LOOP_TIME"), 300);
  EXPECT_EQ(cfg.GetSize("HDD_LEAVE_SPACE_DEFAULT"), 256ull << 20);
  EXPECT_FALSE(cfg.GetBool("LOCK_MEMORY"));
  EXPECT_EQ(cfg.GetHost("MATOCL_LISTEN_HOST"), "*");
  EXPECT_EQ(cfg.GetPort("MATOCL_LISTEN_PORT"), 9421);
  EXPECT_EQ(cfg.GetMode("FILE_UMASK"), 027u);
  EXPECT_DOUBLE_EQ(cfg.GetDouble("ACCEPTABLE_DIFFERENCE"), 0.1);
  EXPECT_FALSE(cfg.IsSet("CHUNKS_LOOP_TIME"));
}

TEST(ConfigFile, ParsesCommentsBlanksAndSpaces) {
  ConfigFile cfg(MasterLike());
  ASSERT_TRUE(cfg.LoadString("# a comment\n"
                             "\n"
                             "   CHUNKS_LOOP_TIME=600   # trailing\n"
                             "HDD_LEAVE_SPACE_DEFAULT =  1GiB\n"
                             "LOCK_MEMORY\t=\tyes\r\n"
                             "SYSLOG_IDENT = my master  \n"
                             "REPLICATIONS_DELAY_INIT = 1h\n"
                             "FILE_UMASK = 002\n")
                  .ok());
  EXPECT_EQ(cfg.GetInteger("CHUNKS_LOOP_TIME"), 600);
  EXPECT_TRUE(cfg.IsSet("CHUNKS_LOOP_TIME"));
  EXPECT_EQ(cfg.GetSize("HDD_LEAVE_SPACE_DEFAULT"), 1ull << 30);
  EXPECT_TRUE(cfg.GetBool("LOCK_MEMORY"));
  EXPECT_EQ(cfg.GetString("SYSLOG_IDENT"), "my master");
  EXPECT_EQ(cfg.GetDuration("REPLICATIONS_DELAY_INIT"), 3600);
  EXPECT_EQ(cfg.GetMode("FILE_UMASK"), 02u);
}

// Loads text and returns what was logged to stderr, asserting the load succeeded.
std::string LoadLogged(ConfigFile& cfg, const std::string& text, const std::string& name) {
  testing::internal::CaptureStderr();
  Status s = cfg.LoadString(text, name);
  std::string logged = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(s.ok()) << s.message();
  return logged;
}

TEST(ConfigFile, BadValueIsWarnedWithFileLineKeyAndSkipped) {
  ConfigFile cfg(MasterLike());
  uint64_t before = log::LinesWritten(log::Level::kWarning);
  std::string logged =
      LoadLogged(cfg, "\n# x\nCHUNKS_LOOP_TIME = abc\nLOCK_MEMORY = 1\n", "/etc/mfs/mfsmaster.cfg");
  EXPECT_EQ(log::LinesWritten(log::Level::kWarning), before + 1);
  EXPECT_NE(logged.find("/etc/mfs/mfsmaster.cfg:3: CHUNKS_LOOP_TIME: 'abc' is not an integer "
                        "(line skipped)"),
            std::string::npos)
      << logged;
  EXPECT_EQ(cfg.GetInteger("CHUNKS_LOOP_TIME"), 300);  // the default
  EXPECT_TRUE(cfg.GetBool("LOCK_MEMORY"));             // the lines after it still apply
}

TEST(ConfigFile, OutOfRangeIsWarnedAndSkipped) {
  ConfigFile cfg(MasterLike());
  std::string logged = LoadLogged(cfg,
                                  "CHUNKS_LOOP_TIME = 0\nACCEPTABLE_DIFFERENCE = 11\n"
                                  "MATOCL_LISTEN_PORT = 70000\n",
                                  "m.cfg");
  EXPECT_NE(logged.find("m.cfg:1: CHUNKS_LOOP_TIME: '0' is below the minimum 1"),
            std::string::npos);
  EXPECT_NE(logged.find("m.cfg:2: ACCEPTABLE_DIFFERENCE:"), std::string::npos);
  EXPECT_NE(logged.find("m.cfg:3: MATOCL_LISTEN_PORT: '70000' is not a port (1..65535)"),
            std::string::npos);
  EXPECT_EQ(cfg.GetInteger("CHUNKS_LOOP_TIME"), 300);
  EXPECT_EQ(cfg.GetPort("MATOCL_LISTEN_PORT"), 9421);
}

TEST(ConfigFile, LineWithoutEqualsIsWarnedAndSkipped) {
  ConfigFile cfg(MasterLike());
  std::string logged = LoadLogged(cfg, "CHUNKS_LOOP_TIME 5\n= 5\nLOCK_MEMORY=1\n", "m.cfg");
  EXPECT_NE(logged.find("m.cfg:1: expected KEY = VALUE, got 'CHUNKS_LOOP_TIME 5' (line skipped)"),
            std::string::npos)
      << logged;
  EXPECT_NE(logged.find("m.cfg:2: expected KEY = VALUE"), std::string::npos);
  EXPECT_EQ(cfg.GetInteger("CHUNKS_LOOP_TIME"), 300);
  EXPECT_TRUE(cfg.GetBool("LOCK_MEMORY"));
}

// MASTER_HOST: one master or several; whatever answers there is trusted, so a value that
// does not parse refuses the file instead of falling back to the default name.
TEST(ConfigFile, MasterHostTakesAListAndABadOneRefusesTheFile) {
  ConfigFile cfg(
      Schema{Key::MasterList("MASTER_HOST", "mfsmaster"), Key::Port("MASTER_PORT", 9420)});
  EXPECT_EQ(cfg.GetMasterList("MASTER_HOST"), "mfsmaster");
  ASSERT_TRUE(cfg.LoadString("MASTER_HOST = m1, 10.0.0.2:9520 m3\n", "cs.cfg").ok());
  EXPECT_EQ(cfg.GetMasterList("MASTER_HOST"), "m1, 10.0.0.2:9520 m3");
  Status s = cfg.LoadString("# two masters\nMASTER_HOST = m1, m2:99999\n", "cs.cfg");
  EXPECT_EQ(s.code(), Code::kBadConfig);
  EXPECT_EQ(s.message(), "cs.cfg:2: MASTER_HOST: 'm2:99999' has a bad port");
  EXPECT_FALSE(cfg.LoadString("MASTER_HOST = *\n", "cs.cfg").ok());
}

TEST(ConfigFile, BadLineOfAKeyThatGuardsAccessIsRefused) {
  ConfigFile cfg(MasterLike());
  Status s = cfg.LoadString("MATOCL_LISTEN_HOST = 10.0.0.\n", "m.cfg");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kBadConfig);
  EXPECT_EQ(s.message().rfind("m.cfg:1: MATOCL_LISTEN_HOST:", 0), 0u) << s.message();
  s = cfg.LoadString("# listen on one address only\nMATOCU_LISTEN_HOST 10.0.0.1\n", "m.cfg");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "m.cfg:2: expected KEY = VALUE, got 'MATOCU_LISTEN_HOST 10.0.0.1'");
}

TEST(ConfigFile, MooseFsAliasSetsTheKey) {
  ConfigFile cfg(MasterLike());
  ASSERT_TRUE(cfg.LoadString("MATOCU_LISTEN_HOST = 127.0.0.1\nMATOCU_LISTEN_PORT = 9521\n").ok());
  EXPECT_EQ(cfg.GetHost("MATOCL_LISTEN_HOST"), "127.0.0.1");
  EXPECT_EQ(cfg.GetPort("MATOCL_LISTEN_PORT"), 9521);
  EXPECT_TRUE(cfg.IsSet("MATOCL_LISTEN_PORT"));
  // Old name then new name: one key, set twice; the last wins with a warning.
  uint64_t before = log::LinesWritten(log::Level::kWarning);
  ASSERT_TRUE(cfg.LoadString("MATOCU_LISTEN_PORT = 9521\nMATOCL_LISTEN_PORT = 9522\n").ok());
  EXPECT_EQ(log::LinesWritten(log::Level::kWarning), before + 1);
  EXPECT_EQ(cfg.GetPort("MATOCL_LISTEN_PORT"), 9522);
}

TEST(ConfigFile, MooseFs3ListOfLimitsTakesTheFirst) {
  ConfigFile cfg(MasterLike());
  std::string logged = LoadLogged(cfg, "CHUNKS_WRITE_REP_LIMIT = 3,1,1,4\n", "m.cfg");
  EXPECT_EQ(cfg.GetInteger("CHUNKS_WRITE_REP_LIMIT"), 3);
  EXPECT_NE(logged.find("m.cfg:1: CHUNKS_WRITE_REP_LIMIT = 3,1,1,4: ElkFS has one limit"),
            std::string::npos)
      << logged;
  // A key without the list rule reads "3,1" as a bad value.
  logged = LoadLogged(cfg, "CHUNKS_LOOP_TIME = 3,1\n", "m.cfg");
  EXPECT_NE(logged.find("m.cfg:1: CHUNKS_LOOP_TIME:"), std::string::npos) << logged;
  EXPECT_EQ(cfg.GetInteger("CHUNKS_LOOP_TIME"), 300);
}

TEST(ConfigFile, UnknownKeyIsWarnedNotFatal) {
  ConfigFile cfg(MasterLike());
  uint64_t before = log::LinesWritten(log::Level::kWarning);
  testing::internal::CaptureStderr();
  ASSERT_TRUE(cfg.LoadString("NO_SUCH_KEY = 1\nCHUNKS_LOOP_TIME = 5\n", "m.cfg").ok());
  std::string logged = testing::internal::GetCapturedStderr();
  EXPECT_EQ(log::LinesWritten(log::Level::kWarning), before + 1);
  EXPECT_NE(logged.find("m.cfg:1: unknown key NO_SUCH_KEY (ignored)"), std::string::npos) << logged;
  EXPECT_EQ(cfg.GetInteger("CHUNKS_LOOP_TIME"), 5);
}

TEST(ConfigFile, DuplicateKeyLastWinsWithWarning) {
  ConfigFile cfg(MasterLike());
  uint64_t before = log::LinesWritten(log::Level::kWarning);
  ASSERT_TRUE(cfg.LoadString("CHUNKS_LOOP_TIME = 5\nCHUNKS_LOOP_TIME = 7\n").ok());
  EXPECT_EQ(log::LinesWritten(log::Level::kWarning), before + 1);
  EXPECT_EQ(cfg.GetInteger("CHUNKS_LOOP_TIME"), 7);
}

TEST(ConfigFile, LogUndefinedListsUnsetKeys) {
  ConfigFile cfg(MasterLike());
  cfg.set_log_undefined(true);
  uint64_t before = log::LinesWritten(log::Level::kInfo);
  ASSERT_TRUE(cfg.LoadString("CHUNKS_LOOP_TIME = 5\n").ok());
  EXPECT_EQ(log::LinesWritten(log::Level::kInfo), before + MasterLike().keys().size() - 1);
}

TEST(ConfigFile, MissingFileEitherFailsOrUsesDefaults) {
  ConfigFile cfg(MasterLike());
  Status s = cfg.Load("/nonexistent/elkfs/mfsmaster.cfg");
  EXPECT_EQ(s.code(), Code::kNoEnt);
  EXPECT_NE(s.message().find("/nonexistent/elkfs/mfsmaster.cfg"), std::string::npos);
  uint64_t before = log::LinesWritten(log::Level::kWarning);
  EXPECT_TRUE(cfg.LoadOrDefaults("/nonexistent/elkfs/mfsmaster.cfg").ok());
  EXPECT_EQ(log::LinesWritten(log::Level::kWarning), before + 1);
  EXPECT_EQ(cfg.GetInteger("CHUNKS_LOOP_TIME"), 300);
}

TEST(ConfigFile, ReloadAppliesGoodFileAndKeepsOldOnFailure) {
  TempFile file;
  file.Write("CHUNKS_LOOP_TIME = 10\nLOCK_MEMORY = 1\n");
  ConfigFile cfg(MasterLike());
  ASSERT_TRUE(cfg.Load(file.path()).ok());
  EXPECT_EQ(cfg.GetInteger("CHUNKS_LOOP_TIME"), 10);

  file.Write("CHUNKS_LOOP_TIME = 20\n");
  ASSERT_TRUE(cfg.Reload().ok());
  EXPECT_EQ(cfg.GetInteger("CHUNKS_LOOP_TIME"), 20);
  EXPECT_FALSE(cfg.GetBool("LOCK_MEMORY"));  // removed from the file: back to default

  // The good first line must not be applied when a later line is refused.
  file.Write("LOCK_MEMORY = 1\nMATOCL_LISTEN_HOST = no such host!\n");
  Status s = cfg.Reload();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind(file.path() + ":2: MATOCL_LISTEN_HOST:", 0), 0u) << s.message();
  EXPECT_EQ(cfg.GetInteger("CHUNKS_LOOP_TIME"), 20);
  EXPECT_FALSE(cfg.GetBool("LOCK_MEMORY"));
}

TEST(ConfigFile, ReloadWithoutLoadIsRefused) {
  ConfigFile cfg(MasterLike());
  EXPECT_FALSE(cfg.Reload().ok());
}

TEST(ConfigFile, WrongTypeGetterLogsErrorAndReturnsZero) {
  ConfigFile cfg(MasterLike());
  uint64_t before = log::LinesWritten(log::Level::kError);
  EXPECT_EQ(cfg.GetInteger("SYSLOG_IDENT"), 0);
  EXPECT_EQ(cfg.GetInteger("UNDECLARED"), 0);
  EXPECT_EQ(log::LinesWritten(log::Level::kError), before + 2);
}

TEST(Schema, AddReplacesMergeKeepsOwnAndCheckFindsBadDefaults) {
  Schema schema{Key::Integer("A", 1)};
  schema.Add(Key::Integer("A", 2));
  EXPECT_EQ(schema.keys().size(), 1u);
  EXPECT_EQ(schema.Find("A")->default_text, "2");
  schema.Merge(Schema{Key::Integer("A", 3), Key::Bool("B", true)});
  EXPECT_EQ(schema.Find("A")->default_text, "2");
  ASSERT_NE(schema.Find("B"), nullptr);
  EXPECT_TRUE(schema.Check().ok());
  schema.Add(Key::Size("C", "lots"));
  EXPECT_FALSE(schema.Check().ok());
}

}  // namespace
}  // namespace elk::cfg
