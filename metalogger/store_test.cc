// The metalogger's files: last version found at start, contiguity, image save and rotation.
#include "metalogger/store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/changelog/record.h"
#include "common/image/image_file.h"

namespace elk::metalogger {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("elk-ml-store-{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string ImageBytes(uint64_t version) {
    image::Image img;
    img.version = version;
    auto bytes = image::Encode(img);
    EXPECT_TRUE(bytes.ok());
    return *bytes;
  }
  fs::path dir_;
};

TEST_F(StoreTest, EmptyFolderHoldsNothing) {
  auto s = Store::Open(dir_.string(), 5);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->last_version(), 0u);
  EXPECT_EQ((*s)->Append(1, "1|X()").code(), Code::kMismatch);
}

TEST_F(StoreTest, ImageThenRecordsSurviveAReopen) {
  {
    auto s = Store::Open(dir_.string(), 5);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->SaveImage(ImageBytes(10), 10).ok());
    EXPECT_EQ((*s)->last_version(), 10u);
    ASSERT_TRUE((*s)->Append(11, "1|A()").ok());
    ASSERT_TRUE((*s)->Append(12, "1|B()").ok());
    EXPECT_EQ((*s)->Append(14, "1|D()").code(), Code::kMismatch);
    ASSERT_TRUE((*s)->Commit().ok());
  }
  auto s = Store::Open(dir_.string(), 5);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->image_version(), 10u);
  EXPECT_EQ((*s)->last_version(), 12u);
  ASSERT_TRUE((*s)->Append(13, "1|C()").ok());
  // A new image rotates the changelog: records before it move to changelog_ml.1.mfs.
  ASSERT_TRUE((*s)->SaveImage(ImageBytes(20), 20).ok());
  EXPECT_TRUE(fs::exists(dir_ / "changelog_ml.1.mfs"));
  EXPECT_EQ(fs::file_size(dir_ / "changelog_ml.0.mfs"), 0u);
  EXPECT_EQ((*s)->last_version(), 20u);
}

TEST_F(StoreTest, ChangelogThatDoesNotFollowTheImageMeansNothingHeld) {
  {
    auto s = Store::Open(dir_.string(), 5);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->SaveImage(ImageBytes(10), 10).ok());
  }
  {
    // Records 15.. in the current file: a gap after the image.
    std::ofstream out(dir_ / "changelog_ml.0.mfs", std::ios::app);
    out << changelog::FormatRecord(15, "1|X()");
  }
  auto s = Store::Open(dir_.string(), 5);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->last_version(), 0u);
}

}  // namespace
}  // namespace elk::metalogger
