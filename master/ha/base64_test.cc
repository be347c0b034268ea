#include "master/ha/base64.h"

#include <gtest/gtest.h>

namespace elk::master::ha {
namespace {

TEST(Base64Test, KnownVectors) {
  // RFC 4648, section 10.
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("/elkfs/leader"), "L2Vsa2ZzL2xlYWRlcg==");
}

TEST(Base64Test, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    auto back = Base64Decode(Base64Encode(all.substr(0, n)));
    ASSERT_TRUE(back.ok()) << n;
    EXPECT_EQ(*back, all.substr(0, n));
  }
}

TEST(Base64Test, RefusesWhatIsNotBase64) {
  for (const char* bad : {"Zg=", "Z===", "Zm9v!A==", "Zg==Zg==", "=Zg=", "Zm9", "Zm 9"}) {
    EXPECT_EQ(Base64Decode(bad).code(), Code::kProtocol) << bad;
  }
}

}  // namespace
}  // namespace elk::master::ha
