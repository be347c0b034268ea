// The monitor's page in a real browser: headless Chromium (Debian's `chromium`) loads it from
// a master with three chunkservers; the DOM it builds must hold the chunkservers table with
// three rows, and a screenshot must come out. Chromium missing is a failure, not a skip:
// scripts/deps.sh installs it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/harness/cluster.h"

namespace elk::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kFlags =
    " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
    " --disable-dev-shm-usage";

std::pair<std::string, int> Capture(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return {"", -1};
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p))
    out.append(buf, n);
  int rc = ::pclose(p);
  return {out, WIFEXITED(rc) ? WEXITSTATUS(rc) : -1};
}

size_t Rows(const std::string& dom, const std::string& table_id) {
  size_t at = dom.find("<table id=\"" + table_id + "\"");
  if (at == std::string::npos) return 0;
  std::string table = dom.substr(at, dom.find("</table>", at) - at);
  size_t n = 0;
  for (size_t i = table.find("<tr"); i != std::string::npos; i = table.find("<tr", i + 1))
    n++;
  return n;
}

TEST(MonitorBrowserTest, ChromiumShowsThreeChunkservers) {
  ASSERT_TRUE(std::filesystem::exists(kChromium))
      << kChromium << " is missing: install Debian's chromium (scripts/deps.sh does)";
  auto c = Cluster::Start({.chunkservers = 3});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::string url = "http://127.0.0.1:" + std::to_string((*c)->http_port()) + "/";
  std::string profile = (*c)->dir() + "/chromium";  // never the user's own profile
  std::string base =
      std::string("timeout 60 ") + kChromium + kFlags + " --user-data-dir=" + profile;
  // The page is a snapshot taken once a second: wait until all three have registered.
  std::string dom;
  for (int i = 0; i < 10; i++) {
    auto [out, rc] = Capture(base + " --dump-dom " + url + " 2>/dev/null");
    ASSERT_EQ(rc, 0) << "chromium failed: " << out;
    dom = out;
    if (Rows(dom, "chunkservers") == 4) break;
    std::this_thread::sleep_for(1s);
  }
  EXPECT_EQ(Rows(dom, "chunkservers"), 4u) << dom;  // the header and three servers
  for (int i = 0; i < 3; i++) {
    EXPECT_NE(dom.find("127.0.0.1:" + std::to_string((*c)->chunkserver_port(i))),
              std::string::npos);
  }
  EXPECT_NE(dom.find("<table id=\"chunks\""), std::string::npos);

  std::string png = (*c)->dir() + "/monitor.png";
  auto [out, rc] =
      Capture(base + " --window-size=1280,2000 --screenshot=" + png + " " + url + " 2>&1");
  ASSERT_EQ(rc, 0) << out;
  std::ifstream in(png, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
  EXPECT_GT(std::filesystem::file_size(png), 10000u);
}

}  // namespace
}  // namespace elk::test
