// AUTH_CODE challenge-response: both sides' rules.

#include "common/auth/auth_code.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace elk::auth {
namespace {

TEST(AuthCode, RightCodeIsAccepted) {
  const std::vector<uint8_t> challenge = ChallengeFor("s3cret");
  ASSERT_EQ(challenge.size(), 32u);
  auto answer = AnswerFor("s3cret", challenge);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_TRUE(CheckAnswer("s3cret", challenge, *answer).ok());
}

TEST(AuthCode, WrongCodeIsRefused) {
  const std::vector<uint8_t> challenge = ChallengeFor("s3cret");
  auto answer = AnswerFor("guess", challenge);
  ASSERT_TRUE(answer.ok());
  Status s = CheckAnswer("s3cret", challenge, *answer);
  EXPECT_EQ(s.code(), Code::kBadPassword);
  EXPECT_NE(s.message().find("wrong AUTH_CODE"), std::string::npos);
}

TEST(AuthCode, MissingAnswerIsRefusedWhenTheMasterHasACode) {
  const std::vector<uint8_t> challenge = ChallengeFor("s3cret");
  EXPECT_EQ(CheckAnswer("s3cret", challenge, {}).code(), Code::kNoPassword);
  // A peer without a code says so instead of sending garbage.
  EXPECT_EQ(AnswerFor("", challenge).status().code(), Code::kNoPassword);
}

TEST(AuthCode, AnAnswerIsWorthNothingForAnotherChallenge) {
  const std::vector<uint8_t> first = ChallengeFor("s3cret");
  const std::vector<uint8_t> second = ChallengeFor("s3cret");
  ASSERT_NE(first, second);  // fresh randomness each time
  auto answer = AnswerFor("s3cret", first);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(CheckAnswer("s3cret", second, *answer).code(), Code::kBadPassword);
}

TEST(AuthCode, TheAnswerIsNotTheCode) {
  const std::string code(32, 'k');
  const std::vector<uint8_t> challenge = ChallengeFor(code);
  auto answer = AnswerFor(code, challenge);
  ASSERT_TRUE(answer.ok());
  EXPECT_NE(std::string(answer->begin(), answer->end()), code);
  // A truncated or padded answer is refused, never read past.
  std::vector<uint8_t> shorter(answer->begin(), answer->end() - 1);
  EXPECT_EQ(CheckAnswer(code, challenge, shorter).code(), Code::kBadPassword);
  std::vector<uint8_t> longer = *answer;
  longer.push_back(0);
  EXPECT_EQ(CheckAnswer(code, challenge, longer).code(), Code::kBadPassword);
}

TEST(AuthCode, MasterWithoutACodeAcceptsEveryone) {
  EXPECT_TRUE(ChallengeFor("").empty());
  EXPECT_TRUE(CheckAnswer("", {}, {}).ok());
  const std::vector<uint8_t> junk(32, 7);
  EXPECT_TRUE(CheckAnswer("", {}, junk).ok());
  auto none = AnswerFor("", {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(AuthCode, PeerWithACodeRefusesAMasterWithout) {
  EXPECT_EQ(AnswerFor("s3cret", {}).status().code(), Code::kBadConfig);
}

TEST(AuthCode, ChallengeOfWrongSizeIsAProtocolError) {
  const std::vector<uint8_t> odd(5, 1);
  EXPECT_EQ(AnswerFor("s3cret", odd).status().code(), Code::kProtocol);
}

TEST(AuthCode, KnownAnswer) {
  // Pins the construction, HMAC-SHA256(key, "elkfs AUTH_CODE v1" || challenge) (computed
  // apart with Python's hmac), so two builds that must talk cannot drift unnoticed.
  const std::vector<uint8_t> challenge(32, 0);
  const AuthAnswer a = Answer("key", challenge);
  std::string hex;
  for (uint8_t b : a)
    hex += fmt::format("{:02x}", b);
  EXPECT_EQ(hex, "75b791fa881ddab84856b9af7cf8ae02453068cd0f1101968ca9f6ba1292c1f8");
}

}  // namespace
}  // namespace elk::auth
