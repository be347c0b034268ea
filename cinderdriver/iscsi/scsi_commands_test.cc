// COMPARE AND WRITE, ORWRITE, PRE-FETCH and REPORT SUPPORTED OPERATION CODES on a unit over
// memory: results, sense data, and that every command the report lists is carried out.
#include <gtest/gtest.h>

#include <thread>

#include "cinderdriver/iscsi/memory_device.h"
#include "cinderdriver/iscsi/scsi_lu.h"

namespace elk::iscsi {
namespace {

std::vector<uint8_t> Cdb16(uint8_t op, uint64_t lba, uint32_t blocks) {
  std::vector<uint8_t> c(16, 0);
  c[0] = op;
  for (int i = 0; i < 8; ++i)
    c[2 + i] = static_cast<uint8_t>(lba >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i)
    c[10 + i] = static_cast<uint8_t>(blocks >> (24 - 8 * i));
  return c;
}

std::vector<uint8_t> CompareAndWriteCdb(uint64_t lba, uint8_t blocks) {
  std::vector<uint8_t> c = Cdb16(0x89, lba, 0);
  c[13] = blocks;
  return c;
}

std::vector<uint8_t> Rsoc(uint8_t options, uint8_t op = 0, uint16_t action = 0, bool rctd = false) {
  std::vector<uint8_t> c(12, 0);
  c[0] = 0xa3;
  c[1] = 0x0c;
  c[2] = static_cast<uint8_t>(options | (rctd ? 0x80 : 0));
  c[3] = op;
  c[4] = static_cast<uint8_t>(action >> 8);
  c[5] = static_cast<uint8_t>(action);
  c[8] = 0xff;
  c[9] = 0xff;
  return c;
}

class ScsiCommandsTest : public ::testing::Test {
 protected:
  std::shared_ptr<MemoryDevice> dev_ = std::make_shared<MemoryDevice>(8 << 20);
  ScsiLu lu_{dev_, LuIdentity{"VOL0002", 0x42, "ElkFS volume"}};

  ScsiResult Run(const std::vector<uint8_t>& cdb, const std::vector<uint8_t>& out = {}) {
    return lu_.Execute(0, cdb, out);
  }
  void Fill(uint64_t lba, uint32_t blocks, uint8_t byte) {
    ASSERT_EQ(Run(Cdb16(0x8a, lba, blocks), std::vector<uint8_t>(blocks * 512, byte)).status,
              kStatusGood);
  }
  std::vector<uint8_t> ReadBlocks(uint64_t lba, uint32_t blocks) {
    return Run(Cdb16(0x88, lba, blocks)).data_in;
  }
};

TEST_F(ScsiCommandsTest, CompareAndWriteWritesOnlyOnAMatch) {
  Fill(10, 2, 'A');
  std::vector<uint8_t> data(4 * 512, 'A');
  std::fill(data.begin() + 1024, data.end(), 'B');
  EXPECT_EQ(Run(CompareAndWriteCdb(10, 2), data).status, kStatusGood);
  EXPECT_EQ(ReadBlocks(10, 2), std::vector<uint8_t>(1024, 'B'));
  // The same again: the blocks hold B now, so the compare with A fails at byte 0.
  auto r = Run(CompareAndWriteCdb(10, 2), data);
  ASSERT_EQ(r.status, kStatusCheckCondition);
  EXPECT_EQ(r.sense[2], 0x0e);   // MISCOMPARE
  EXPECT_EQ(r.sense[12], 0x1d);  // during verify
  EXPECT_EQ(r.sense[0], 0xf0);   // VALID: the offset is in INFORMATION
  EXPECT_EQ(ReadBlocks(10, 2), std::vector<uint8_t>(1024, 'B'));
}

TEST_F(ScsiCommandsTest, CompareAndWriteNamesTheFirstDifferingByte) {
  Fill(0, 1, 'A');
  std::vector<uint8_t> data(1024, 'A');
  data[512 - 27] = 'C';
  auto r = Run(CompareAndWriteCdb(0, 1), data);
  ASSERT_EQ(r.status, kStatusCheckCondition);
  const uint32_t info =
      uint32_t{r.sense[3]} << 24 | r.sense[4] << 16 | r.sense[5] << 8 | r.sense[6];
  EXPECT_EQ(info, 512u - 27);
  EXPECT_EQ(ReadBlocks(0, 1), std::vector<uint8_t>(512, 'A'));
}

TEST_F(ScsiCommandsTest, CompareAndWriteRefusesWhatItCannotDo) {
  EXPECT_EQ(Run(CompareAndWriteCdb(0, 0)).status, kStatusGood);  // zero blocks: nothing
  // 256 blocks do not fit the one-byte count: it reads 0, the data says otherwise.
  EXPECT_EQ(Run(CompareAndWriteCdb(0, 0), std::vector<uint8_t>(2 * 256 * 512, 0)).sense[12], 0x24);
  const uint64_t last = (8u << 20) / 512 - 1;
  auto beyond = Run(CompareAndWriteCdb(last, 2), std::vector<uint8_t>(2048, 0));
  EXPECT_EQ(beyond.sense[12], 0x21);  // LBA out of range
  auto wrong_size = Run(CompareAndWriteCdb(0, 1), std::vector<uint8_t>(2048, 0));
  EXPECT_EQ(wrong_size.sense[12], 0x24);  // a data-out that is not 2 x the blocks
  std::vector<uint8_t> protect = CompareAndWriteCdb(0, 1);
  protect[1] = 0x20;  // WRPROTECT: no protection information kept
  EXPECT_EQ(Run(protect, std::vector<uint8_t>(1024, 0)).sense[12], 0x24);
  std::vector<uint8_t> out(2 * 512, 0);
  std::vector<uint8_t> cdb = CompareAndWriteCdb(0, 1);
  EXPECT_EQ(DataOutLength(cdb), out.size());
}

// Many threads, each taking the same block from the value it last saw to the next: with
// the compare and the write together, no increment is lost.
TEST_F(ScsiCommandsTest, CompareAndWriteIsAtomicAgainstItself) {
  Fill(5, 1, 0);
  constexpr int kThreads = 4;
  constexpr int kEach = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this] {
      for (int done = 0, tries = 0; done < kEach && tries < 100000; ++tries) {
        std::vector<uint8_t> seen = lu_.Execute(0, Cdb16(0x88, 5, 1), {}).data_in;
        const uint32_t n = uint32_t{seen[0]} | uint32_t{seen[1]} << 8;
        std::vector<uint8_t> data(seen);
        data.resize(1024, 0);
        data[512] = static_cast<uint8_t>(n + 1);
        data[513] = static_cast<uint8_t>((n + 1) >> 8);
        if (lu_.Execute(0, CompareAndWriteCdb(5, 1), data).status == kStatusGood) ++done;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  std::vector<uint8_t> end = ReadBlocks(5, 1);
  EXPECT_EQ(uint32_t{end[0]} | uint32_t{end[1]} << 8, uint32_t{kThreads * kEach});
}

TEST_F(ScsiCommandsTest, OrWriteMergesIntoWhatIsThere) {
  Fill(20, 1, 0x0f);
  std::vector<uint8_t> data(512, 0xf0);
  data[0] = 0x00;
  EXPECT_EQ(Run(Cdb16(0x8b, 20, 1), data).status, kStatusGood);
  std::vector<uint8_t> want(512, 0xff);
  want[0] = 0x0f;
  EXPECT_EQ(ReadBlocks(20, 1), want);
  EXPECT_EQ(Run(Cdb16(0x8b, 20, 0)).status, kStatusGood);  // zero blocks
  const uint64_t n = (8u << 20) / 512;
  EXPECT_EQ(Run(Cdb16(0x8b, n, 1), data).sense[12], 0x21);
  std::vector<uint8_t> protect = Cdb16(0x8b, 20, 1);
  protect[1] = 0x20;  // ORPROTECT
  EXPECT_EQ(Run(protect, data).sense[12], 0x24);
}

TEST_F(ScsiCommandsTest, PreFetchChecksTheRange) {
  std::vector<uint8_t> p10 = {0x34, 0x02, 0, 0, 0, 0, 0, 0, 8, 0};  // IMMED
  EXPECT_EQ(Run(p10).status, kStatusGood);
  EXPECT_EQ(Run(Cdb16(0x90, 0, 8)).status, kStatusGood);
  EXPECT_EQ(Run(Cdb16(0x90, (8u << 20) / 512, 1)).sense[12], 0x21);
}

TEST_F(ScsiCommandsTest, ReportedCommandsAreTheOnesCarriedOut) {
  auto all = Run(Rsoc(0));
  ASSERT_EQ(all.status, kStatusGood);
  const auto& d = all.data_in;
  const uint32_t len = uint32_t{d[0]} << 24 | d[1] << 16 | d[2] << 8 | d[3];
  ASSERT_EQ(len + 4, d.size());
  ASSERT_EQ(len % 8, 0u);
  size_t listed = 0;
  for (size_t at = 4; at < d.size(); at += 8, ++listed) {
    const uint8_t op = d[at];
    const bool servactv = d[at + 5] & 0x01;
    const uint16_t action = static_cast<uint16_t>(d[at + 2] << 8 | d[at + 3]);
    // One command: option 1 without service actions, 2 with; the other is refused.
    auto one = Run(Rsoc(servactv ? 2 : 1, op, action));
    ASSERT_EQ(one.status, kStatusGood) << int(op);
    EXPECT_EQ(one.data_in[1] & 0x07, 0x03) << int(op);  // supported
    EXPECT_EQ(one.data_in[4], op);                      // usage data starts with the opcode
    EXPECT_EQ(Run(Rsoc(servactv ? 1 : 2, op, action)).status, kStatusCheckCondition) << int(op);
    // Not "invalid opcode" when sent (fields may be refused, the command is known).
    std::vector<uint8_t> cdb(one.data_in.begin() + 4, one.data_in.end());
    for (size_t i = 1; i < cdb.size(); ++i)
      cdb[i] = 0;
    if (servactv) cdb[1] = static_cast<uint8_t>(action);
    auto sent = Run(cdb);
    if (sent.status == kStatusCheckCondition) {
      EXPECT_NE(sent.sense[12], 0x20) << int(op);
    }
  }
  EXPECT_GE(listed, 30u);
  // With RCTD every descriptor carries a timeouts descriptor (20 bytes).
  auto timed = Run(Rsoc(0, 0, 0, true));
  ASSERT_EQ(timed.status, kStatusGood);
  EXPECT_EQ(timed.data_in.size() - 4, listed * 20);
  // A command not carried out is "not supported".
  auto pr = Run(Rsoc(1, 0x5e));
  ASSERT_EQ(pr.status, kStatusGood);
  EXPECT_EQ(pr.data_in[1] & 0x07, 0x01);
}

}  // namespace
}  // namespace elk::iscsi
