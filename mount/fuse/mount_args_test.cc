// mfsmount's command line and mfsmount.cfg: the file gives defaults, the command line wins,
// a bad line is refused with its file, line and reason.

#include "mount/fuse/mount_args.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace elk::mount {
namespace {

namespace fs = std::filesystem;

class MountArgsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("elk-mount-args-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  // Parses with `default_cfg` as the default file (it need not exist).
  Result<MountArgs> Parse(std::vector<std::string> args, const std::string& default_cfg = "") {
    args.insert(args.begin(), "mfsmount");
    return ParseMountArgs(args, default_cfg.empty() ? (dir_ / "none.cfg").string() : default_cfg);
  }

  fs::path dir_;
};

TEST_F(MountArgsTest, CommandLineAloneAsBefore) {
  auto a = Parse(
      {"/mnt/x", "-H", "m1", "-P9500", "-S", "/sub", "-o", "mfsattrcacheto=2.5,allow_other", "-f"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->mountpoint, "/mnt/x");
  EXPECT_EQ(a->host, "m1");
  EXPECT_EQ(a->port, 9500);
  EXPECT_EQ(a->subfolder, "/sub");
  EXPECT_DOUBLE_EQ(a->attr_timeout, 2.5);
  EXPECT_EQ(a->fuse_opts, std::vector<std::string>{"allow_other"});
  EXPECT_TRUE(a->foreground);
  EXPECT_EQ(a->config_file, "");  // the default file does not exist: fine
  EXPECT_FALSE(Parse({}).ok());   // no mount point
  EXPECT_FALSE(Parse({"/mnt/x", "-P", "0"}).ok());
  EXPECT_FALSE(Parse({"/mnt/x", "--bogus"}).ok());
  auto warned = Parse({"/mnt/x", "-o", "mfsbogus=1"});
  ASSERT_TRUE(warned.ok());
  EXPECT_EQ(warned->warnings, std::vector<std::string>{"unknown option 'mfsbogus' ignored"});
}

// Several masters (a leader and its followers): -H and a file line take commas, -o spaces
// (a comma there is the next option); each entry is checked.
TEST_F(MountArgsTest, MastersMayBeAList) {
  auto h = Parse({"/mnt/x", "-H", "m1,m2:9521"});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->host, "m1,m2:9521");
  auto o = Parse({"/mnt/x", "-o", "mfsmaster=m1 m2:9521,allow_other"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->host, "m1 m2:9521");
  const std::string cfg = Write("list.cfg", "mfsmaster = m1, 10.0.0.2:9521\n");
  auto f = Parse({"/mnt/x", "-c", cfg});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->host, "m1, 10.0.0.2:9521");
  auto bad = Parse({"/mnt/x", "-H", "m1,m_2"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "-H: 'm_2' is not a host name or IPv4 address");
}

TEST_F(MountArgsTest, FileGivesDefaultsTheCommandLineOverrides) {
  const std::string cfg = Write("m.cfg",
                                "# defaults for this host\n"
                                "mfsmaster = from-file\n"
                                "mfsport=9521\n"
                                "  mfssubfolder = /projects   # trailing comment\n"
                                "mfsentrycacheto = 3\n"
                                "allow_other\n"
                                "/mnt/from-file\n"
                                "\n");
  auto a = Parse({"-c", cfg});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->config_file, cfg);
  EXPECT_EQ(a->mountpoint, "/mnt/from-file");
  EXPECT_EQ(a->host, "from-file");
  EXPECT_EQ(a->port, 9521);
  EXPECT_EQ(a->subfolder, "/projects");
  EXPECT_DOUBLE_EQ(a->entry_timeout, 3.0);
  EXPECT_EQ(a->fuse_opts, std::vector<std::string>{"allow_other"});

  auto b = Parse({"/mnt/cli", "-c" + cfg, "-H", "from-cli", "-o", "mfsport=9999,ro"});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->mountpoint, "/mnt/cli");
  EXPECT_EQ(b->host, "from-cli");
  EXPECT_EQ(b->port, 9999);
  EXPECT_EQ(b->subfolder, "/projects");  // not on the command line: the file's
  EXPECT_EQ(b->fuse_opts, (std::vector<std::string>{"allow_other", "ro"}));
}

TEST_F(MountArgsTest, DefaultFileIsReadWhenPresent) {
  const std::string cfg = Write("default.cfg", "mfsmaster = default-host\nmfsmeta\n");
  auto a = Parse({"/mnt/x"}, cfg);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->host, "default-host");
  EXPECT_TRUE(a->meta);
  EXPECT_EQ(a->config_file, cfg);
  // -c replaces the default file.
  const std::string other = Write("other.cfg", "mfsport = 9600\n");
  auto b = Parse({"/mnt/x", "-c", other}, cfg);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "mfsmaster");
  EXPECT_EQ(b->port, 9600);
  EXPECT_FALSE(b->meta);
}

TEST_F(MountArgsTest, FileNamedByDashCMustExist) {
  auto a = Parse({"/mnt/x", "-c", (dir_ / "missing.cfg").string()});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("missing.cfg"), std::string::npos) << a.status().ToString();
  EXPECT_FALSE(Parse({"/mnt/x", "-c"}).ok());
}

TEST_F(MountArgsTest, BadLinesNameFileLineAndReason) {
  struct Case {
    std::string text;
    std::string expected;  // after "FILE:"
  };
  const std::vector<Case> cases = {
      {"mfsmaster = m\nmfsport = 70000\n", "2: mfsport: '70000' is not a port (1-65535)"},
      {"mfscachemode = SOMETIMES\n", "1: mfscachemode: 'SOMETIMES' is not AUTO, YES, NO or DIRECT"},
      {"mfsioretries = 0\n", "1: mfsioretries: '0' is not a count (1-1000)"},
      {"mfsattrcacheto = soon\n", "1: mfsattrcacheto: 'soon' is not a number of seconds (0-86400)"},
      {"mfsmaster =\n", "1: mfsmaster needs a value"},
      {"mfsmeta = 1\n", "1: mfsmeta takes no value"},
      {"/mnt/a\n/mnt/b\n", "2: a second mount point"},
      {"mfssubfolder = /a, mfsport = 1\n",
       "1: 'mfssubfolder = /a, mfsport = 1': one option per line, "
       "as KEY = VALUE or KEY"},
      {"mfsmaster = m1, m2:99999\n", "1: mfsmaster: 'm2:99999' has a bad port"},
      {"= x\n", "1: an option without a name"},
  };
  for (const Case& c : cases) {
    const std::string cfg = Write("bad.cfg", c.text);
    auto a = Parse({"/mnt/x", "-c", cfg});
    ASSERT_FALSE(a.ok()) << c.text;
    EXPECT_EQ(a.code(), Code::kBadConfig);
    EXPECT_EQ(a.status().message(), cfg + ":" + c.expected) << c.text;
  }
}

TEST_F(MountArgsTest, EveryMooseFsCacheAndIoOptionIsTakenFromAMooseFs3File) {
  const std::string cfg = Write("mfsmount.cfg",
                                "mfsmaster = mfsmaster.example\n"
                                "mfscachemode = direct\n"
                                "mfsattrcacheto = 2\n"
                                "mfsentrycacheto = 0.5\n"
                                "mfsdirentrycacheto = 4\n"
                                "mfsnegentrycacheto = 1.5\n"
                                "mfswritecachesize = 256\n"
                                "mfsreadaheadsize = 32\n"
                                "mfsmd5pass = 0123456789abcdef0123456789abcdef\n"
                                "mfsdelayedinit\n"
                                "mfsmkdircopysgid = 1\n"
                                "mfssugidclearmode = EXT\n"
                                "mfsioretries = 20\n"
                                "mfsrlimitnofile = 100000\n");
  auto a = Parse({"/mnt/mfs", "-c", cfg});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->cache_mode, CacheMode::kDirect);
  EXPECT_DOUBLE_EQ(a->attr_timeout, 2.0);
  EXPECT_DOUBLE_EQ(a->entry_timeout, 0.5);
  EXPECT_DOUBLE_EQ(a->direntry_timeout, 4.0);
  EXPECT_DOUBLE_EQ(a->negentry_timeout, 1.5);
  EXPECT_EQ(a->write_cache_bytes, uint64_t{256} << 20);
  EXPECT_EQ(a->readahead_bytes, uint32_t{32} << 20);
  EXPECT_TRUE(a->password_is_md5);
  EXPECT_EQ(a->password, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(a->io_retries, 20);
  // One warning each for what has no ElkFS feature, naming file and line; no FUSE option.
  ASSERT_EQ(a->warnings.size(), 4u) << fmt::format("{}", fmt::join(a->warnings, "\n"));
  EXPECT_EQ(a->warnings[0].rfind(cfg + ":10: option 'mfsdelayedinit' ignored", 0), 0u);
  EXPECT_EQ(a->warnings[1].rfind(cfg + ":11: option 'mfsmkdircopysgid'", 0), 0u);
  EXPECT_EQ(a->warnings[2].rfind(cfg + ":12: option 'mfssugidclearmode'", 0), 0u);
  EXPECT_EQ(a->warnings[3], cfg + ":14: unknown option 'mfsrlimitnofile' ignored");
  EXPECT_TRUE(a->fuse_opts.empty());
  for (auto [text, mode] : {std::pair{"AUTO", CacheMode::kAuto},
                            {"yes", CacheMode::kYes},
                            {"NO", CacheMode::kNo},
                            {"Direct", CacheMode::kDirect}}) {
    auto b = Parse({"/mnt/mfs", "-o", std::string("mfscachemode=") + text});
    ASSERT_TRUE(b.ok()) << text;
    EXPECT_EQ(b->cache_mode, mode) << text;
  }
  EXPECT_EQ(Parse({"/mnt/mfs"})->cache_mode, CacheMode::kAuto);  // MooseFS's default
  EXPECT_EQ(Parse({"/mnt/mfs", "-o", "mfscachefiles"})->cache_mode, CacheMode::kYes);
}

TEST_F(MountArgsTest, FstabOptionsThatOnlyMountReadsAreDropped) {
  // What mount(8) hands mount.fuse for
  //   mfsmount /mnt/mfs fuse mfsmaster=HOST,mfsport=9421,_netdev,defaults,nofail 0 0
  auto a = Parse({"/mnt/mfs", "-o",
                  "rw,mfsmaster=HOST,mfsport=9421,_netdev,defaults,noauto,nofail,user,"
                  "x-systemd.automount,comment=x,dev,suid,exec"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->host, "HOST");
  EXPECT_EQ(a->port, 9421);
  EXPECT_EQ(a->fuse_opts, (std::vector<std::string>{"rw", "dev", "suid", "exec"}));
  EXPECT_TRUE(a->warnings.empty());
}

TEST_F(MountArgsTest, TheInstalledSampleParses) {
  MountArgs a;
  std::ifstream in(std::string(ELKFS_MOUNT_SAMPLE));
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  EXPECT_TRUE(ApplyMountCfg(text.str(), "mfsmount.cfg.sample", a).ok());
  // Uncommented, every sample setting is a valid option.
  static const std::regex kSetting(R"(^# (mfs[a-z]+( = .*)?)$)");
  std::string uncommented;
  std::istringstream lines(text.str());
  for (std::string l; std::getline(lines, l);) {
    std::smatch m;
    if (std::regex_match(l, m, kSetting)) uncommented += std::string(m[1]) + "\n";
  }
  EXPECT_NE(uncommented.find("mfsmaster = "), std::string::npos) << uncommented;
  MountArgs b;
  Status s = ApplyMountCfg(uncommented, "uncommented", b);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << uncommented;
}

TEST_F(MountArgsTest, RootMountIsOpenToEveryoneUnlessNarrowed) {
  using V = std::vector<std::string>;
  auto plain = Parse({"/mnt/x"});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(FuseMountOptions(*plain, /*by_root=*/true), (V{"allow_other", "default_permissions"}));
  EXPECT_EQ(FuseMountOptions(*plain, /*by_root=*/false), V{"default_permissions"});
  auto narrowed = Parse({"/mnt/x", "-o", "allow_root,ro"});
  ASSERT_TRUE(narrowed.ok());
  EXPECT_EQ(FuseMountOptions(*narrowed, true), (V{"allow_root", "ro", "default_permissions"}));
  auto asked = Parse({"/mnt/x", "-o", "allow_other,default_permissions"});
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ(FuseMountOptions(*asked, false), (V{"allow_other", "default_permissions"}));
  auto meta = Parse({"/mnt/x", "-m"});
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(FuseMountOptions(*meta, true), V{"allow_other"}) << "the meta mount is root's tool";
}

}  // namespace
}  // namespace elk::mount
