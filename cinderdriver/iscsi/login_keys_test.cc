#include <gtest/gtest.h>

#include "cinderdriver/iscsi/chap.h"
#include "cinderdriver/iscsi/negotiation.h"
#include "cinderdriver/iscsi/pdu.h"
#include "cinderdriver/iscsi/text_keys.h"

namespace elk::iscsi {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

TEST(TextKeys, ParseAndEncode) {
  auto keys = ParseTextKeys(Bytes(std::string("A=1\0B=x,y\0\0\0", 13)));
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ(FindKey(*keys, "B"), "x,y");
  EXPECT_EQ(EncodeTextKeys(*keys), Bytes(std::string("A=1\0B=x,y\0", 10)));
  EXPECT_FALSE(ParseTextKeys(Bytes(std::string("novalue\0", 8))).ok());
  EXPECT_FALSE(ParseTextKeys(Bytes(std::string("A=1\0A=2\0", 8))).ok());
  EXPECT_FALSE(ParseTextKeys(Bytes(std::string("=1\0", 3))).ok());
}

TEST(Negotiation, EachKindOfKey) {
  Negotiator n;
  auto a = n.Answer({{"HeaderDigest", "CRC32C,None"},
                     {"DataDigest", "None"},
                     {"InitialR2T", "No"},
                     {"ImmediateData", "Yes"},
                     {"MaxBurstLength", "16776192"},
                     {"FirstBurstLength", "262144"},
                     {"MaxRecvDataSegmentLength", "65536"},
                     {"DefaultTime2Wait", "0"},
                     {"MaxOutstandingR2T", "8"},
                     {"X-com.example.Key", "1"}});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FindKey(*a, "HeaderDigest"), "CRC32C");
  EXPECT_EQ(FindKey(*a, "DataDigest"), "None");
  EXPECT_EQ(FindKey(*a, "InitialR2T"), "No");
  EXPECT_EQ(FindKey(*a, "MaxBurstLength"), "1048576");
  EXPECT_EQ(FindKey(*a, "DefaultTime2Wait"), "2");
  EXPECT_EQ(FindKey(*a, "MaxOutstandingR2T"), "1");
  EXPECT_EQ(FindKey(*a, "X-com.example.Key"), "NotUnderstood");
  EXPECT_EQ(FindKey(*a, "MaxRecvDataSegmentLength"), "");  // declarative
  const SessionParams& p = n.params();
  EXPECT_TRUE(p.header_digest);
  EXPECT_FALSE(p.data_digest);
  EXPECT_FALSE(p.initial_r2t);
  EXPECT_EQ(p.max_send_data, 65536u);
  EXPECT_EQ(p.first_burst, 262144u);
  auto d = n.Declarations();
  EXPECT_EQ(FindKey(d, "MaxRecvDataSegmentLength"), "262144");
  EXPECT_TRUE(n.Declarations().empty());  // declared once
  EXPECT_FALSE(n.Answer({{"MaxBurstLength", "12abc"}}).ok());
  EXPECT_FALSE(n.Answer({{"InitialR2T", "Maybe"}}).ok());
}

TEST(Chap, ResponseMatchesRfc1994Md5) {
  auto c = ChapChallenge::Make();
  ASSERT_TRUE(c.ok());
  auto challenge = FromHex(c->challenge_hex());
  ASSERT_TRUE(challenge.ok());
  EXPECT_EQ(challenge->size(), 16u);
  const std::string good = ToHex(ChapResponse(c->id(), "secret12345!", *challenge));
  EXPECT_TRUE(c->Verify("secret12345!", good));
  EXPECT_FALSE(c->Verify("secret12345?", good));
  EXPECT_FALSE(c->Verify("secret12345!", "0x00"));
  EXPECT_FALSE(c->Verify("secret12345!", "zz"));
  // MD5 of "\x01" "abc" "\x02\x03", computed with Python's hashlib.
  EXPECT_EQ(ToHex(ChapResponse(1, "abc", {2, 3})), "0x933b6a2a0e07817b413af749f222829c");
}

TEST(Pdu, EncodeSetsLengthsAndPads) {
  Pdu p;
  p.set_opcode(kOpNopIn);
  p.set_itt(0x01020304);
  p.data = Bytes("hello");
  auto bytes = EncodePdu(p, {});
  ASSERT_EQ(bytes.size(), 48u + 8u);
  EXPECT_EQ(bytes[7], 5);
  EXPECT_EQ(bytes[16], 1);
  EXPECT_EQ(bytes[53], 0);  // padding
  auto with_digests = EncodePdu(p, {true, true, 8192});
  EXPECT_EQ(with_digests.size(), 48u + 4u + 8u + 4u);
}

TEST(Pdu, LunForms) {
  EXPECT_EQ(DecodeLun(EncodeLun(0)), 0);
  EXPECT_EQ(DecodeLun(EncodeLun(5)), 5);
  EXPECT_EQ(DecodeLun(EncodeLun(300)), 300);
}

}  // namespace
}  // namespace elk::iscsi
