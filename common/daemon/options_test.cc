#include "common/daemon/options.h"

#include <gtest/gtest.h>

#include <vector>

namespace elk::daemon {
namespace {

Result<DaemonOptions> Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "mfsmaster");
  return ParseCommandLine(static_cast<int>(args.size()), args.data());
}

TEST(DaemonOptions, DefaultsAreStartInBackground) {
  auto o = Parse({});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->action, Action::kStart);
  EXPECT_FALSE(o->foreground);
  EXPECT_FALSE(o->debug);
  EXPECT_FALSE(o->log_undefined);
  EXPECT_FALSE(o->auto_recovery);
  EXPECT_EQ(o->lock_timeout_s, 60);
  EXPECT_TRUE(o->config_path.empty());
}

TEST(DaemonOptions, EveryFlag) {
  auto o = Parse({"-c", "/tmp/m.cfg", "-f", "-u", "-a", "-t", "5", "-v", "-h"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->config_path, "/tmp/m.cfg");
  EXPECT_TRUE(o->foreground);
  EXPECT_FALSE(o->debug);
  EXPECT_TRUE(o->log_undefined);
  EXPECT_TRUE(o->auto_recovery);
  EXPECT_EQ(o->lock_timeout_s, 5);
  EXPECT_TRUE(o->print_version);
  EXPECT_TRUE(o->print_help);
}

TEST(DaemonOptions, LongHelpAndVersion) {
  auto o = Parse({"--help", "--version"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o->print_help);
  EXPECT_TRUE(o->print_version);
  EXPECT_FALSE(Parse({"--bogus"}).ok());
}

TEST(DaemonOptions, DebugImpliesForeground) {
  auto o = Parse({"-d"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->debug);
  EXPECT_TRUE(o->foreground);
}

TEST(DaemonOptions, GroupedFlagsAndAttachedValues) {
  auto o = Parse({"-fua", "-c/etc/x.cfg", "-t30", "stop"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->foreground && o->log_undefined && o->auto_recovery);
  EXPECT_EQ(o->config_path, "/etc/x.cfg");
  EXPECT_EQ(o->lock_timeout_s, 30);
  EXPECT_EQ(o->action, Action::kStop);
}

TEST(DaemonOptions, EveryAction) {
  for (Action a : {Action::kStart, Action::kStop, Action::kRestart, Action::kReload, Action::kTest,
                   Action::kKill, Action::kIsAlive}) {
    std::string name(ActionName(a));
    auto o = Parse({name.c_str()});
    ASSERT_TRUE(o.ok()) << name;
    EXPECT_EQ(o->action, a) << name;
  }
}

TEST(DaemonOptions, BadInputIsAUsageError) {
  EXPECT_EQ(Parse({"-x"}).status().message(), "unknown option -x");
  EXPECT_EQ(Parse({"-c"}).status().message(), "option -c needs a value");
  EXPECT_EQ(Parse({"-t", "soon"}).status().message(), "-t: 'soon' is not a number of seconds");
  EXPECT_EQ(Parse({"-t", "0"}).code(), Code::kInval);
  EXPECT_EQ(Parse({"launch"}).status().message(), "unknown action 'launch'");
  EXPECT_EQ(Parse({"start", "stop"}).status().message(), "more than one action ('stop')");
}

TEST(DaemonOptions, UsageListsEveryOptionAndAction) {
  std::string usage = Usage("mfsmaster");
  for (const char* word :
       {"-c CFGFILE", "-f", "-d", "-u", "-a", "-t LOCKTIMEOUT", "-v", "-h", "start", "stop",
        "restart", "reload", "test", "kill", "isalive", "/etc/mfs/mfsmaster.cfg"}) {
    EXPECT_NE(usage.find(word), std::string::npos) << word;
  }
}

}  // namespace
}  // namespace elk::daemon
