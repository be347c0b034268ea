#include "common/image/image_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace elk::image {
namespace {

namespace fs = std::filesystem;

Image Sample(uint64_t version) {
  Image im;
  im.version = version;
  im.saved_at = 1795449600;
  std::mt19937 rng(7);
  std::string noise(100000, '\0');
  for (char& c : noise)
    c = static_cast<char>(rng() % 16);
  im.sections.push_back({"NODE", std::string(50000, 'n') + noise});
  im.sections.push_back({"EDGE", "edges"});
  im.sections.push_back({"EMPT", ""});
  return im;
}

TEST(ImageFile, RoundTrips) {
  auto bytes = Encode(Sample(42));
  ASSERT_TRUE(bytes.ok());
  auto back = Decode(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->version, 42u);
  EXPECT_EQ(back->saved_at, 1795449600u);
  ASSERT_EQ(back->sections.size(), 3u);
  EXPECT_EQ(back->sections[0].data, Sample(42).sections[0].data);
  ASSERT_NE(back->Find("EDGE"), nullptr);
  EXPECT_EQ(back->Find("EDGE")->data, "edges");
  EXPECT_EQ(back->Find("NOPE"), nullptr);
  EXPECT_LT(bytes->size(), 150050u / 2) << "sections are compressed";
}

TEST(ImageFile, EveryFlippedByteIsRefused) {
  Image im;
  im.version = 9;
  im.sections.push_back({"NODE", "abcdefgh"});
  auto bytes = Encode(im);
  ASSERT_TRUE(bytes.ok());
  for (size_t i = 0; i < bytes->size(); i++) {
    std::string bad = *bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x40);
    auto r = Decode(bad);
    EXPECT_EQ(r.code(), Code::kCorruption) << "byte " << i;
  }
}

TEST(ImageFile, EveryTruncationIsRefused) {
  auto bytes = Encode(Sample(1));
  ASSERT_TRUE(bytes.ok());
  for (size_t len = 0; len < bytes->size(); len += 97) {
    EXPECT_FALSE(Decode(std::string_view(*bytes).substr(0, len)).ok()) << len;
  }
  EXPECT_FALSE(Decode(*bytes + "x").ok()) << "trailing bytes";
}

TEST(ImageFile, BadTagsAreNotWritten) {
  Image im;
  im.sections.push_back({"TOOLONG", ""});
  EXPECT_FALSE(Encode(im).ok());
  im.sections[0].tag = "END!";
  EXPECT_FALSE(Encode(im).ok());
}

class ImageDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/elk-image-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(ImageDirTest, SaveKeepsBacksAndLoads) {
  for (uint64_t v = 1; v <= 4; v++)
    ASSERT_TRUE(Save(dir_, Sample(v), 2).ok());
  auto cur = Load(ImagePath(dir_));
  ASSERT_TRUE(cur.ok());
  EXPECT_EQ(cur->version, 4u);
  EXPECT_EQ(Load(BackPath(dir_, 1))->version, 3u);
  EXPECT_EQ(Load(BackPath(dir_, 2))->version, 2u);
  EXPECT_FALSE(fs::exists(BackPath(dir_, 3)));
  EXPECT_FALSE(fs::exists(dir_ + "/metadata.mfs.tmp"));
}

TEST_F(ImageDirTest, ACorruptedImageIsRefusedWithItsPath) {
  ASSERT_TRUE(Save(dir_, Sample(5), 1).ok());
  {
    std::fstream f(ImagePath(dir_), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    char c = 0;
    f.read(&c, 1);
    f.seekp(200);
    f.put(static_cast<char>(c ^ 1));
  }
  auto r = Load(ImagePath(dir_));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Code::kCorruption);
  EXPECT_NE(r.status().message().find("metadata.mfs"), std::string::npos);
  EXPECT_EQ(Load(dir_ + "/missing").code(), Code::kNoEnt);
}

}  // namespace
}  // namespace elk::image
