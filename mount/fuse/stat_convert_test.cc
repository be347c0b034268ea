#include "mount/fuse/stat_convert.h"

#include <gtest/gtest.h>

namespace elk::fuse_convert {
namespace {

TEST(StatConvertTest, DeviceNumbersSurviveTheWire) {
  for (auto [maj, min] :
       {std::pair{0u, 0u}, std::pair{4u, 5u}, std::pair{8u, 1u}, std::pair{4095u, 1048575u},
        std::pair{259u, 65536u}, std::pair{1u, 256u}}) {
    const uint32_t wire = WireRdev(makedev(maj, min));
    const dev_t back = DevOfWire(wire);
    EXPECT_EQ(major(back), maj) << maj << ":" << min;
    EXPECT_EQ(minor(back), min) << maj << ":" << min;
  }
  // The kernel's own 32-bit form (new_encode_dev), which FUSE passes to mknod.
  EXPECT_EQ(WireRdev(makedev(4, 5)), 0x405u);
  EXPECT_EQ(WireRdev(makedev(4095, 1048575)), 0xfffffffu | 0xf0000000u);
  EXPECT_EQ(WireRdev(makedev(1, 0x12345)), 0x12300145u);
}

TEST(StatConvertTest, TimesKeepNanosecondsAndSignsBothWays) {
  for (FileTime t :
       {FileTime{0}, FileTime{1577836800123456789}, FileTime{-315619200} * kNsPerSecond,
        FileTime{7258118400} * kNsPerSecond + 1, FileTime{-1}}) {
    const timespec ts = ToTimespec(t);
    EXPECT_GE(ts.tv_nsec, 0);
    EXPECT_LT(ts.tv_nsec, kNsPerSecond);
    EXPECT_EQ(FromTimespec(ts), t);
  }
  const timespec before{-1, 999999999};  // 1969-12-31 23:59:59.999999999
  EXPECT_EQ(FromTimespec(before), -1);
  const timespec far{int64_t{1} << 40, 0};
  EXPECT_EQ(FromTimespec(far), kFileTimeMax);
}

}  // namespace
}  // namespace elk::fuse_convert
