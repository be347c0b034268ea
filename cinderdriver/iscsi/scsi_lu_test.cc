#include "cinderdriver/iscsi/scsi_lu.h"

#include <gtest/gtest.h>

#include "cinderdriver/iscsi/memory_device.h"

namespace elk::iscsi {
namespace {

class ScsiLuTest : public ::testing::Test {
 protected:
  std::shared_ptr<MemoryDevice> dev_ = std::make_shared<MemoryDevice>(8 << 20);
  ScsiLu lu_{dev_, LuIdentity{"VOL0001", 0x123456789, "ElkFS volume"}};

  ScsiResult Run(std::vector<uint8_t> cdb, std::vector<uint8_t> out = {}, uint16_t lun = 0) {
    cdb.resize(
        cdb[0] >= 0x80 && cdb[0] < 0xa0 ? 16 : (cdb[0] >= 0xa0 ? 12 : (cdb[0] >= 0x20 ? 10 : 6)),
        0);
    return lu_.Execute(lun, cdb, out);
  }
  // An UNMAP parameter list with one block descriptor.
  static std::vector<uint8_t> UnmapParams(uint64_t lba, uint32_t blocks) {
    std::vector<uint8_t> p(24, 0);
    p[1] = 22;  // data length
    p[3] = 16;  // block descriptor data length
    for (int i = 0; i < 8; ++i)
      p[8 + i] = static_cast<uint8_t>(lba >> (56 - 8 * i));
    for (int i = 0; i < 4; ++i)
      p[16 + i] = static_cast<uint8_t>(blocks >> (24 - 8 * i));
    return p;
  }
  static void ExpectSense(const ScsiResult& r, uint8_t key, uint8_t asc, uint8_t ascq) {
    ASSERT_EQ(r.status, kStatusCheckCondition);
    ASSERT_EQ(r.sense.size(), 18u);
    EXPECT_EQ(r.sense[0], 0x70);
    EXPECT_EQ(r.sense[2], key);
    EXPECT_EQ(r.sense[12], asc);
    EXPECT_EQ(r.sense[13], ascq);
  }
};

TEST_F(ScsiLuTest, StandardInquiryNamesTheDevice) {
  auto r = Run({0x12, 0, 0, 0, 96});
  ASSERT_EQ(r.status, kStatusGood);
  ASSERT_GE(r.data_in.size(), 36u);
  EXPECT_EQ(r.data_in[0], 0x00);
  EXPECT_EQ(std::string(r.data_in.begin() + 8, r.data_in.begin() + 13), "ELKFS");
  EXPECT_EQ(r.data_in[4] + 5u, r.data_in.size());
  // Cut to the allocation length.
  EXPECT_EQ(Run({0x12, 0, 0, 0, 5}).data_in.size(), 5u);
  // A LUN that does not exist answers with "no device here".
  EXPECT_EQ(Run({0x12, 0, 0, 0, 96}, {}, 3).data_in[0], 0x7f);
  // A page without EVPD is an invalid field.
  ExpectSense(Run({0x12, 0, 0x80, 0, 96}), kSenseIllegalRequest, 0x24, 0);
}

TEST_F(ScsiLuTest, VpdPagesListedAndServed) {
  auto r = Run({0x12, 1, 0x00, 0, 255});
  ASSERT_EQ(r.status, kStatusGood);
  std::vector<uint8_t> pages(r.data_in.begin() + 4, r.data_in.end());
  EXPECT_EQ(pages, (std::vector<uint8_t>{0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2}));
  for (uint8_t p : pages) {
    auto v = Run({0x12, 1, p, 0, 255});
    ASSERT_EQ(v.status, kStatusGood) << int(p);
    EXPECT_EQ(v.data_in[1], p);
    EXPECT_EQ((v.data_in[2] << 8 | v.data_in[3]) + 4u, v.data_in.size()) << int(p);
  }
  auto serial = Run({0x12, 1, 0x80, 0, 255});
  EXPECT_EQ(std::string(serial.data_in.begin() + 4, serial.data_in.end()), "VOL0001");
  auto id = Run({0x12, 1, 0x83, 0, 255});
  EXPECT_EQ(id.data_in[5] & 0x0f, 3);  // first designator: NAA
  EXPECT_EQ(id.data_in[8] >> 4, 5);    // NAA 5
  ExpectSense(Run({0x12, 1, 0x42, 0, 255}), kSenseIllegalRequest, 0x24, 0);
}

TEST_F(ScsiLuTest, CapacityInBothForms) {
  auto r10 = Run({0x25});
  ASSERT_EQ(r10.status, kStatusGood);
  EXPECT_EQ(r10.data_in, (std::vector<uint8_t>{0, 0, 0x3f, 0xff, 0, 0, 2, 0}));
  auto r16 = Run({0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32});
  ASSERT_EQ(r16.status, kStatusGood);
  ASSERT_EQ(r16.data_in.size(), 32u);
  EXPECT_EQ(r16.data_in[6] << 8 | r16.data_in[7], 0x3fff);
  EXPECT_EQ(r16.data_in[13], 0);     // a logical block per physical block
  EXPECT_EQ(r16.data_in[14], 0xc0);  // thin provisioned, unmapped reads zeros
}

TEST_F(ScsiLuTest, WriteThenReadEveryCdbSize) {
  std::vector<uint8_t> block(1024);
  for (size_t i = 0; i < block.size(); ++i)
    block[i] = static_cast<uint8_t>(i * 7);
  ASSERT_EQ(Run({0x2a, 0, 0, 0, 0, 10, 0, 0, 2}, block).status, kStatusGood);  // WRITE(10) lba 10
  auto r6 = Run({0x08, 0, 0, 10, 2});                                          // READ(6)
  EXPECT_EQ(r6.data_in, block);
  auto r16 = Run({0x88, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 2});  // READ(16)
  EXPECT_EQ(r16.data_in, block);
  auto r12 = Run({0xa8, 0, 0, 0, 0, 10, 0, 0, 0, 2});  // READ(12)
  EXPECT_EQ(r12.data_in, block);
  // WRITE(16) with FUA flushes.
  const uint64_t flushes = dev_->flushes();
  ASSERT_EQ(Run({0x8a, 0x08, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 2}, block).status, kStatusGood);
  EXPECT_EQ(dev_->flushes(), flushes + 1);
}

TEST_F(ScsiLuTest, OutOfRangeAndShortDataAreRefused) {
  ExpectSense(Run({0x28, 0, 0, 0, 0x3f, 0xff, 0, 0, 2}), kSenseIllegalRequest, 0x21, 0);
  ExpectSense(Run({0x2a, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 1}, std::vector<uint8_t>(512)),
              kSenseIllegalRequest, 0x21, 0);
  // The last block itself is fine.
  EXPECT_EQ(Run({0x28, 0, 0, 0, 0x3f, 0xff, 0, 0, 1}).status, kStatusGood);
  ExpectSense(Run({0x35, 0, 0, 0, 0x40, 0, 0, 0, 1}), kSenseIllegalRequest, 0x21, 0);
}

TEST_F(ScsiLuTest, ShortDataOutWritesOnlyTheBlocksSent) {
  // The initiator's expected length was one block for a two-block WRITE: one is written.
  ASSERT_EQ(Run({0x2a, 0, 0, 0, 0, 0, 0, 0, 2}, std::vector<uint8_t>(1024, 'a')).status,
            kStatusGood);
  ASSERT_EQ(Run({0x2a, 0, 0, 0, 0, 0, 0, 0, 2}, std::vector<uint8_t>(700, 'b')).status,
            kStatusGood);
  auto r = Run({0x28, 0, 0, 0, 0, 0, 0, 0, 2});
  EXPECT_EQ(r.data_in[0], 'b');
  EXPECT_EQ(r.data_in[511], 'b');
  EXPECT_EQ(r.data_in[512], 'a');
}

TEST_F(ScsiLuTest, UnknownCommandsAndLunsAndReservations) {
  ExpectSense(Run({0xc7}), kSenseIllegalRequest, 0x20, 0);
  ExpectSense(Run({0x5e, 0}), kSenseIllegalRequest, 0x20, 0);  // PERSISTENT RESERVE IN
  ExpectSense(Run({0x00}, {}, 1), kSenseIllegalRequest, 0x25, 0);
  EXPECT_EQ(Run({0x00}).status, kStatusGood);
}

TEST_F(ScsiLuTest, VerifyComparesWhenAsked) {
  std::vector<uint8_t> data(512, 0xab);
  ASSERT_EQ(Run({0x2a, 0, 0, 0, 0, 5, 0, 0, 1}, data).status, kStatusGood);
  EXPECT_EQ(Run({0x2f, 0x02, 0, 0, 0, 5, 0, 0, 1}, data).status, kStatusGood);
  data[100] = 0;
  ExpectSense(Run({0x2f, 0x02, 0, 0, 0, 5, 0, 0, 1}, data), kSenseMiscompare, 0x1d, 0);
  EXPECT_EQ(Run({0x2f, 0x00, 0, 0, 0, 5, 0, 0, 1}).status, kStatusGood);
}

TEST_F(ScsiLuTest, ModeSenseReportsWriteCacheAndRefusesSavedValues) {
  auto r = Run({0x1a, 0, 0x08, 0, 255});
  ASSERT_EQ(r.status, kStatusGood);
  ASSERT_EQ(r.data_in[3], 8u);  // one block descriptor
  EXPECT_EQ(r.data_in[0] + 1u, r.data_in.size());
  EXPECT_EQ(r.data_in[12], 0x08);
  EXPECT_EQ(r.data_in[14] & 0x04, 0x04);  // WCE
  auto changeable = Run({0x1a, 0, 0x48, 0, 255});
  EXPECT_EQ(changeable.data_in[14], 0);
  ExpectSense(Run({0x1a, 0, 0xc8, 0, 255}), kSenseIllegalRequest, 0x39, 0);
  auto all10 = Run({0x5a, 0x08, 0x3f, 0, 0, 0, 0, 0x10, 0});
  ASSERT_EQ(all10.status, kStatusGood);
  EXPECT_EQ((all10.data_in[0] << 8 | all10.data_in[1]) + 2u, all10.data_in.size());
  ExpectSense(Run({0x1a, 0, 0x05, 0, 255}), kSenseIllegalRequest, 0x24, 0);
}

TEST_F(ScsiLuTest, ReportLunsListsLunZero) {
  auto r = Run({0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 64});
  ASSERT_EQ(r.status, kStatusGood);
  EXPECT_EQ(r.data_in, (std::vector<uint8_t>{0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  ExpectSense(Run({0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 8}), kSenseIllegalRequest, 0x24, 0);
}

TEST_F(ScsiLuTest, UnmapAndWriteSame) {
  std::vector<uint8_t> data(4096, 0x5a);
  ASSERT_EQ(Run({0x2a, 0, 0, 0, 0, 0, 0, 0, 8}, data).status, kStatusGood);
  ASSERT_EQ(Run({0x42, 0, 0, 0, 0, 0, 0, 0, 24}, UnmapParams(2, 4)).status, kStatusGood);
  auto r = Run({0x28, 0, 0, 0, 0, 0, 0, 0, 8});
  for (size_t i = 0; i < 4096; ++i)
    ASSERT_EQ(r.data_in[i], (i >= 1024 && i < 3072) ? 0 : 0x5a) << i;
  // WRITE SAME(16) of one block over 16 blocks.
  std::vector<uint8_t> one(512, 0x11);
  ASSERT_EQ(Run({0x93, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 16}, one).status, kStatusGood);
  auto w = Run({0x28, 0, 0, 0, 0, 100, 0, 0, 16});
  EXPECT_EQ(w.data_in, std::vector<uint8_t>(8192, 0x11));
  ExpectSense(Run({0x93, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0}, one), kSenseIllegalRequest, 0x24,
              0);
}

std::vector<uint8_t> GetLbaStatusCdb(uint64_t lba, uint32_t alloc) {
  std::vector<uint8_t> cdb(16, 0);
  cdb[0] = 0x9e;
  cdb[1] = 0x12;
  for (int i = 0; i < 8; ++i)
    cdb[2 + i] = static_cast<uint8_t>(lba >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i)
    cdb[10 + i] = static_cast<uint8_t>(alloc >> (24 - 8 * i));
  return cdb;
}

struct LbaRun {
  uint64_t lba;
  uint32_t blocks;
  uint8_t status;  // 0 mapped, 1 deallocated
  bool operator==(const LbaRun&) const = default;
};

std::vector<LbaRun> Runs(const std::vector<uint8_t>& d) {
  std::vector<LbaRun> out;
  for (size_t at = 8; at + 16 <= d.size(); at += 16) {
    uint64_t lba = 0;
    uint32_t n = 0;
    for (int i = 0; i < 8; ++i)
      lba = lba << 8 | d[at + i];
    for (int i = 0; i < 4; ++i)
      n = n << 8 | d[at + 8 + i];
    out.push_back({lba, n, static_cast<uint8_t>(d[at + 12] & 0x0f)});
  }
  return out;
}

TEST_F(ScsiLuTest, GetLbaStatusReportsUnmappedStretches) {
  // 8 MiB = 16384 blocks, allocation kept per 64 KiB (128 blocks): unmap 128..383.
  ASSERT_EQ(Run({0x42, 0, 0, 0, 0, 0, 0, 0, 24}, UnmapParams(128, 256)).status, kStatusGood);

  auto all = Run(GetLbaStatusCdb(0, 8 + 16 * 4));
  ASSERT_EQ(all.status, kStatusGood);
  ASSERT_EQ(all.data_in.size(), 8u + 3 * 16);
  EXPECT_EQ(all.data_in[3], 4 + 3 * 16);  // parameter data length
  // The device is asked about 64 stretches at most (a volume's are 64 MiB chunks, each a
  // question to the master), so the last run ends at block 64 * 128.
  EXPECT_EQ(Runs(all.data_in),
            (std::vector<LbaRun>{{0, 128, 0}, {128, 256, 1}, {384, 8192 - 384, 0}}));

  // The first descriptor starts at the LBA asked for, and a short allocation gets one.
  auto mid = Run(GetLbaStatusCdb(200, 24));
  ASSERT_EQ(mid.status, kStatusGood);
  EXPECT_EQ(Runs(mid.data_in), (std::vector<LbaRun>{{200, 184, 1}}));
  EXPECT_EQ(mid.data_in[3], 4 + 16);  // as many descriptors as were asked room for

  // Writing maps a stretch again; past the end is out of range.
  std::vector<uint8_t> data(512, 1);
  ASSERT_EQ(Run({0x2a, 0, 0, 0, 0, 130, 0, 0, 1}, data).status, kStatusGood);
  EXPECT_EQ(Runs(Run(GetLbaStatusCdb(0, 8 + 16 * 4)).data_in),
            (std::vector<LbaRun>{{0, 256, 0}, {256, 128, 1}, {384, 8192 - 384, 0}}));
  ExpectSense(Run(GetLbaStatusCdb(16384, 24)), kSenseIllegalRequest, 0x21, 0);
}

TEST_F(ScsiLuTest, ExtensionIsAnnouncedOnceAsUnitAttention) {
  dev_->Resize(16 << 20);
  ExpectSense(Run({0x00}), kSenseUnitAttention, 0x2a, 0x09);
  EXPECT_EQ(Run({0x00}).status, kStatusGood);
  auto r10 = Run({0x25});
  EXPECT_EQ(r10.data_in[2] << 8 | r10.data_in[3], 0x7fff);
}

TEST(DataOutLength, FromTheCdb) {
  std::vector<uint8_t> w10 = {0x2a, 0, 0, 0, 0, 0, 0, 0, 8, 0};
  EXPECT_EQ(DataOutLength(w10), 4096u);
  std::vector<uint8_t> w6 = {0x0a, 0, 0, 0, 0, 0};
  EXPECT_EQ(DataOutLength(w6), 256u * 512);
  std::vector<uint8_t> r10 = {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0};
  EXPECT_EQ(DataOutLength(r10), 0u);
  std::vector<uint8_t> truncated = {0x2a, 0};
  EXPECT_EQ(DataOutLength(truncated), 0u);
}

}  // namespace
}  // namespace elk::iscsi
