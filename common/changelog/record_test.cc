#include "common/changelog/record.h"

#include <gtest/gtest.h>

namespace elk::changelog {
namespace {

TEST(Record, FormatsAGreppableLineThatParsesBack) {
  std::string line = FormatRecord(1043, "1795449600|CREATE(1,\"a\"):17");
  EXPECT_TRUE(line.starts_with("1043: 1795449600|CREATE(1,\"a\"):17\t"));
  ASSERT_EQ(line.back(), '\n');
  auto r = ParseRecord(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 1043u);
  EXPECT_EQ(r->body, "1795449600|CREATE(1,\"a\"):17");
}

TEST(Record, AnyFlippedByteIsRefused) {
  std::string line = FormatRecord(7, "5|UNLINK(1,\"x\")");
  line.pop_back();
  for (size_t i = 0; i < line.size(); i++) {
    std::string bad = line;
    bad[i] ^= 0x01;
    EXPECT_FALSE(ParseRecord(bad).ok()) << "byte " << i;
  }
}

TEST(Record, ShapeErrorsAreCorruption) {
  EXPECT_EQ(ParseRecord("").code(), Code::kCorruption);
  EXPECT_EQ(ParseRecord("12: abc").code(), Code::kCorruption);
  EXPECT_EQ(ParseRecord("12: abc\tZZZZZZZZ").code(), Code::kCorruption);
}

TEST(Escape, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; c++)
    all += static_cast<char>(c);
  std::string escaped = EscapeString(all);
  for (char c : std::string("\t\n,()|: \"")) {
    EXPECT_EQ(escaped.find(c), std::string::npos) << int(c);
  }
  auto back = UnescapeString(escaped);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, all);
  EXPECT_EQ(EscapeString("plain-name_1.txt"), "plain-name_1.txt");
}

TEST(Escape, BadEscapesAreRefused) {
  EXPECT_FALSE(UnescapeString("%").ok());
  EXPECT_FALSE(UnescapeString("%4").ok());
  EXPECT_FALSE(UnescapeString("%G0").ok());
  EXPECT_TRUE(UnescapeString("%41").ok());
}

TEST(Body, WritesAndReadsArguments) {
  std::string body =
      BodyWriter(1795449600, "CREATE").Num(1).Str("a, b(c)").Char('f').Str("").Done(17);
  EXPECT_EQ(body, "1795449600|CREATE(1,\"a%2C%20b%28c%29\",\"f\",\"\"):17");
  auto r = BodyReader::Parse(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->ts(), 1795449600u);
  EXPECT_EQ(r->op(), "CREATE");
  EXPECT_TRUE(r->has_result());
  EXPECT_EQ(r->result(), 17u);
  EXPECT_EQ(*r->Num(), 1u);
  EXPECT_EQ(*r->Str(), "a, b(c)");
  EXPECT_EQ(*r->Char(), 'f');
  EXPECT_EQ(*r->Str(), "");
  EXPECT_TRUE(r->AtEnd());
  EXPECT_FALSE(r->Num().ok());
}

TEST(Body, NoArgumentsAndNoResult) {
  auto r = BodyReader::Parse(BodyWriter(3, "PURGE").Done());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->arg_count(), 0u);
  EXPECT_FALSE(r->has_result());
}

TEST(Body, TypeMismatchesAreRefused) {
  auto r = BodyReader::Parse(BodyWriter(3, "X").Str("a").Num(5).Done());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->Num().ok());  // a string where a number is expected
  EXPECT_FALSE(r->Str().ok());  // a number where a string is expected
  EXPECT_FALSE(BodyReader::Parse("3|X(1,)").ok());
  EXPECT_FALSE(BodyReader::Parse("x|X(1)").ok());
  EXPECT_FALSE(BodyReader::Parse("3|X(1):zz").ok());
  EXPECT_FALSE(BodyReader::Parse("3 X 1").ok());
}

}  // namespace
}  // namespace elk::changelog
