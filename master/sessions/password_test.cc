#include "master/sessions/password.h"

#include <gtest/gtest.h>

namespace elk::master {
namespace {

TEST(Password, KeyIsMd5OfThePassword) {
  // MD5("password") = 5f4dcc3b5aa765d61d8327deb882cf99: md5pass= in mfsexports.cfg holds this.
  PasswordKey k = KeyOfPassword("password");
  EXPECT_EQ(k[0], 0x5f);
  EXPECT_EQ(k[1], 0x4d);
  EXPECT_EQ(k[15], 0x99);
}

TEST(Password, RightAnswerPassesWrongOnesFail) {
  PasswordKey key = KeyOfPassword("s3cret");
  Challenge c = NewChallenge();
  ChallengeAnswer a = AnswerChallenge(key, c);
  EXPECT_TRUE(VerifyAnswer(key, c, a));
  EXPECT_FALSE(VerifyAnswer(KeyOfPassword("s3creT"), c, a));
  ChallengeAnswer flipped = a;
  flipped[5] ^= 1;
  EXPECT_FALSE(VerifyAnswer(key, c, flipped));
  EXPECT_FALSE(VerifyAnswer(key, c, std::span<const uint8_t>(a.data(), 31)));
}

TEST(Password, AnAnswerIsUselessForAnotherChallenge) {
  PasswordKey key = KeyOfPassword("s3cret");
  Challenge c1 = NewChallenge();
  Challenge c2 = NewChallenge();
  EXPECT_NE(c1, c2);
  EXPECT_FALSE(VerifyAnswer(key, c2, AnswerChallenge(key, c1)));
}

}  // namespace
}  // namespace elk::master
