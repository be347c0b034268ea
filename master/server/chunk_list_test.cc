// CLTOMA_CHUNK_LIST: a file's existing chunks in pages, holes skipped, so mfsfileinfo on a
// huge sparse file costs its chunks, not its length.
#include <gtest/gtest.h>

#include "master/server/client_link.h"
#include "master/server/test_master.h"

namespace elk::master {
namespace {

namespace proto = protocol;
using test::CreateReq;
using test::GrantNewChunk;
using test::MasterServerTest;
using test::TestClient;

constexpr uint32_t kLastIndex = 0x7FFFFFFF;  // the highest chunk index of a 2^57-byte file
constexpr uint64_t kChunkSize = uint64_t{64} << 20;

// A write grant on `index` of `inode` (already opened for writing), created on `cs`, then
// its end with the file's length set past that chunk's first byte.
Result<uint64_t> WriteChunkAt(TestClient& c, test::FakeChunkserver& cs, uint32_t inode,
                              uint32_t index) {
  ELK_RETURN_IF_ERROR(c.Send(proto::CltomaWriteChunk{c.next_msgid(), inode, index}));
  auto chunk = cs.AnswerCreate();
  if (!chunk.ok()) return chunk.status();
  auto grant = c.Receive<proto::MatoclWriteChunk>();
  if (!grant.ok()) return grant.status();
  ELK_RETURN_IF_ERROR(
      c.Do(proto::CltomaWriteChunkEnd{0, *chunk, inode, uint64_t{index} * kChunkSize + 1}));
  return chunk;
}

class ChunkListTest : public MasterServerTest {
 protected:
  void SetUp() override {
    MasterServerTest::SetUp();
    StartServer();
    ASSERT_TRUE(cs_.Register(server_->chunkserver_port(), 9422, {}).ok());
    c_ = Client();
    ASSERT_TRUE(c_.Register("/").ok());
  }
  uint32_t NewFile(const std::string& name) {
    auto f = c_.Call<proto::MatoclCreate>(CreateReq(1, name));
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? f->attr.inode : 0;
  }
  Result<proto::MatoclChunkList> Page(uint32_t inode, uint32_t from) {
    return c_.Call<proto::MatoclChunkList>(proto::CltomaChunkList{0, inode, from});
  }

  test::FakeChunkserver cs_;
  TestClient c_;
};

TEST_F(ChunkListTest, ASparseFileListsItsTwoChunksInOnePage) {
  const uint32_t f = NewFile("sparse");
  auto first = GrantNewChunk(c_, cs_, f);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(c_.Do(proto::CltomaWriteChunkEnd{0, *first, f, 1}).ok());
  auto last = WriteChunkAt(c_, cs_, f, kLastIndex);
  ASSERT_TRUE(last.ok()) << last.status().ToString();

  auto page = Page(f, 0);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->file_length, uint64_t{kLastIndex} * kChunkSize + 1);
  EXPECT_EQ(page->next_index, proto::kChunkListEnd);
  ASSERT_EQ(page->chunks.size(), 2u);
  EXPECT_EQ(page->chunks[0].index, 0u);
  EXPECT_EQ(page->chunks[0].chunkid, *first);
  EXPECT_EQ(page->chunks[1].index, kLastIndex);
  EXPECT_EQ(page->chunks[1].chunkid, *last);
  ASSERT_EQ(page->chunks[1].copies.size(), 1u);
  EXPECT_TRUE(page->chunks[1].copies[0].valid);
  EXPECT_EQ(page->chunks[1].copies[0].server.port, 9422);
  EXPECT_EQ(page->chunks[1].version, page->chunks[1].copies[0].version);

  // The same chunk as CHUNK_INFO shows it.
  auto info = c_.Call<proto::MatoclChunkInfo>(proto::CltomaChunkInfo{0, f, kLastIndex});
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->chunkid, *last);
  EXPECT_EQ(info->version, page->chunks[1].version);

  auto rest = Page(f, 1);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->chunks.size(), 1u);
  EXPECT_EQ(rest->chunks[0].index, kLastIndex);
  for (uint32_t from : {kLastIndex + 1, UINT32_MAX}) {
    auto none = Page(f, from);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->chunks.empty());
    EXPECT_EQ(none->next_index, proto::kChunkListEnd);
  }
}

TEST_F(ChunkListTest, ManyChunksComeInBoundedPagesThatJoinUp) {
  const uint32_t f = NewFile("dense");
  auto chunk = GrantNewChunk(c_, cs_, f);
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
  ASSERT_TRUE(c_.Do(proto::CltomaWriteChunkEnd{0, *chunk, f, 1000}).ok());
  // Appending the file to itself doubles its chunks: 2^11 = 2048, all sharing one chunk.
  for (int i = 0; i < 11; ++i)
    ASSERT_TRUE(c_.Do(proto::CltomaAppendChunks{0, f, f, {}}).ok());

  std::vector<uint32_t> indexes;
  uint32_t from = 0;
  int pages = 0;
  for (; from != proto::kChunkListEnd && pages < 10; ++pages) {
    auto page = Page(f, from);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_LE(page->chunks.size(), ClientLink::kChunkListPage);
    for (const auto& e : page->chunks) {
      EXPECT_EQ(e.chunkid, *chunk);
      EXPECT_LT(e.index, page->next_index);
      indexes.push_back(e.index);
    }
    from = page->next_index;
  }
  EXPECT_EQ(pages, 2);
  ASSERT_EQ(indexes.size(), 2048u);
  for (uint32_t i = 0; i < indexes.size(); ++i)
    ASSERT_EQ(indexes[i], i);
}

TEST_F(ChunkListTest, AFolderOrAMissingInodeIsRefused) {
  EXPECT_EQ(Page(1, 0).code(), Code::kPerm);
  EXPECT_EQ(Page(999999, 0).code(), Code::kNoEnt);
  const uint32_t empty = NewFile("empty");
  auto page = Page(empty, 0);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->file_length, 0u);
  EXPECT_TRUE(page->chunks.empty());
  EXPECT_EQ(page->next_index, proto::kChunkListEnd);
}

}  // namespace
}  // namespace elk::master
