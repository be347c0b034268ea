#include "common/net/master_addresses.h"

#include <gtest/gtest.h>

namespace elk::net {
namespace {

TEST(MasterAddresses, ParsesCommaAndSpaceSeparatedEntriesWithDefaultPorts) {
  auto list = ParseMasterList("master-a, 10.0.0.2:9521  10.0.0.3,,\tm.example", 9421);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  const std::vector<MasterEntry> want{
      {"master-a", 9421}, {"10.0.0.2", 9521}, {"10.0.0.3", 9421}, {"m.example", 9421}};
  EXPECT_EQ(*list, want);
  EXPECT_EQ(FormatMasterList(*list), "master-a:9421, 10.0.0.2:9521, 10.0.0.3:9421, m.example:9421");
}

TEST(MasterAddresses, OneHostIsAListOfOneAndRepeatsCountOnce) {
  auto list = ParseMasterList("mfsmaster", 9420);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<MasterEntry>{{"mfsmaster", 9420}}));
  auto twice = ParseMasterList("a:1,a:1 a", 1);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->size(), 1u);
}

TEST(MasterAddresses, RefusesWhatIsNotAHostOrPortWithTheEntryNamed) {
  for (const char* bad : {"", " , ", "a:", "a:0", "a:65536", "a:x", ":9421", "*", "a_b",
                          "1.2.3.256", "::1", "a;b", "ok, 10.0.0.1:99999"}) {
    auto list = ParseMasterList(bad, 9421);
    EXPECT_EQ(list.code(), Code::kInval) << bad;
  }
  EXPECT_NE(ParseMasterList("ok,b@d", 1).status().message().find("'b@d'"), std::string::npos);
}

TEST(MasterAddresses, ARoundTriesEveryEntryInOrderThenIsDone) {
  auto list = MasterAddresses::Parse("127.0.0.1:1 127.0.0.2:2, 127.0.0.1:1", 9);
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->Restart().ok());
  auto a = list->Next();
  auto b = list->Next();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->address, (Address{0x7f000001, 1}));
  EXPECT_EQ(b->address, (Address{0x7f000002, 2}));
  EXPECT_TRUE(list->RoundDone());
  EXPECT_EQ(list->Next().code(), Code::kNotFound);
}

TEST(MasterAddresses, ARedirectComesNextAndTheMasterReachedStartsTheNextRound) {
  auto list = MasterAddresses::Parse("127.0.0.1:1,127.0.0.2:2", 9);
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->Restart().ok());
  ASSERT_TRUE(list->Next().ok());
  list->Redirect("127.0.0.9", 99);
  EXPECT_FALSE(list->RoundDone());
  auto to = list->Next();
  ASSERT_TRUE(to.ok());
  EXPECT_TRUE(to->redirected);
  EXPECT_EQ(to->address, (Address{0x7f000009, 99}));
  list->Reached(*to);
  auto rest = list->Next();  // the round goes on where it was
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->address.port, 2);
  ASSERT_TRUE(list->Restart().ok());
  EXPECT_EQ(list->Next()->address, (Address{0x7f000009, 99}));
  EXPECT_EQ(list->Next()->address.port, 1);
  EXPECT_EQ(list->Next()->address.port, 2);
  EXPECT_TRUE(list->RoundDone());
}

TEST(MasterAddresses, AMasterThatWentSilentIsTriedLastUntilOneIsReached) {
  auto list = MasterAddresses::Parse("127.0.0.1:1,127.0.0.2:2,127.0.0.3:3", 9);
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->Restart().ok());
  auto first = list->Next();
  ASSERT_TRUE(first.ok());
  list->Reached(*first);
  list->TryLast(first->address);  // reached, then silent: not first of the next round
  ASSERT_TRUE(list->Restart().ok());
  EXPECT_EQ(list->Next()->address.port, 2);
  EXPECT_EQ(list->Next()->address.port, 3);
  auto again = list->Next();
  EXPECT_EQ(again->address.port, 1);
  list->Reached(*again);  // it answered after all: the order is the usual one again
  ASSERT_TRUE(list->Restart().ok());
  EXPECT_EQ(list->Next()->address.port, 1);
  EXPECT_EQ(list->Next()->address.port, 2);
}

TEST(MasterAddresses, ANameGivesEachOfItsAddressesAndAnUnknownNameIsLeftOut) {
  auto ips = ResolveAllIpv4("localhost");
  ASSERT_TRUE(ips.ok()) << ips.status().ToString();
  EXPECT_FALSE(ips->empty());
  auto list = MasterAddresses::Parse("no-such-master.invalid, localhost:7", 9);
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->Restart().ok());
  EXPECT_NE(list->unresolved().find("no-such-master.invalid"), std::string::npos);
  size_t n = 0;
  while (!list->RoundDone()) {
    auto t = list->Next();
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->host, "localhost");
    ++n;
  }
  EXPECT_EQ(n, ips->size());
  auto none = MasterAddresses::Parse("no-such-master.invalid", 9);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->Restart().code(), Code::kNotFound);
}

}  // namespace
}  // namespace elk::net
