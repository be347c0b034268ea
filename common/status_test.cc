#include "common/status.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace elk {
namespace {

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, CarriesCodeAndMessage) {
  Status s(Code::kNoEnt, "no such file 'a/b'");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNoEnt);
  EXPECT_EQ(s.to_errno(), ENOENT);
  EXPECT_EQ(s.ToString(), "ENOENT: no such file 'a/b'");
}

TEST(Status, ErrnoRoundTripsForPosixCodes) {
  for (int e : {EPERM, ENOENT, EACCES, EEXIST, EINVAL, ENOTEMPTY, ENOSPC, EROFS, ENOTDIR,
                EISDIR, ENAMETOOLONG, ERANGE, ENODATA, EXDEV, ELOOP, EMLINK}) {
    EXPECT_EQ(to_errno(from_errno(e)), e) << e;
  }
  EXPECT_EQ(from_errno(EHOSTDOWN), Code::kIo);
}

TEST(Status, EveryCodeHasANameAndAnErrno) {
  for (int i = 1; i < static_cast<int>(Code::kLast); i++) {
    auto c = static_cast<Code>(i);
    EXPECT_NE(code_name(c), "UNKNOWN") << i;
    EXPECT_NE(to_errno(c), 0) << i;
  }
  EXPECT_EQ(code_name(static_cast<Code>(200)), "UNKNOWN");
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> good(7);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad(Code::kAccess, "denied");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), Code::kAccess);
  EXPECT_EQ(bad.status().message(), "denied");
}

Status Fails() { return Status(Code::kIo, "disk"); }
Status Chain() {
  ELK_RETURN_IF_ERROR(Status::Ok());
  ELK_RETURN_IF_ERROR(Fails());
  return Status(Code::kInval, "not reached");
}

TEST(Status, ReturnIfErrorStopsAtFirstFailure) { EXPECT_EQ(Chain().code(), Code::kIo); }

TEST(Status, FromErrnoNamesWhat) {
  Status s = Status::FromErrno(ENOSPC, "write chunk");
  EXPECT_EQ(s.code(), Code::kNoSpace);
  EXPECT_NE(s.message().find("write chunk"), std::string::npos);
}

}  // namespace
}  // namespace elk
