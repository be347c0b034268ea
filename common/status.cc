#include "common/status.h"

#include <cerrno>
#include <cstring>

namespace elk {
namespace {

struct CodeInfo {
  std::string_view name;
  int err;
};

constexpr CodeInfo kCodes[] = {
    {"OK", 0},
    {"EPERM", EPERM},
    {"ENOTDIR", ENOTDIR},
    {"ENOENT", ENOENT},
    {"EACCES", EACCES},
    {"EEXIST", EEXIST},
    {"EINVAL", EINVAL},
    {"ENOTEMPTY", ENOTEMPTY},
    {"CHUNKLOST", EIO},
    {"ENOMEM", ENOMEM},
    {"INDEXTOOBIG", EFBIG},
    {"LOCKED", EAGAIN},
    {"NOCHUNKSERVERS", ENOSPC},
    {"NOCHUNK", ENXIO},
    {"CHUNKBUSY", EBUSY},
    {"REGISTER", EACCES},
    {"NOTDONE", EAGAIN},
    {"NOTOPENED", EBADF},
    {"NOTSTARTED", EAGAIN},
    {"WRONGVERSION", ESTALE},
    {"CHUNKEXIST", EEXIST},
    {"NOSPACE", ENOSPC},
    {"EIO", EIO},
    {"BNUMTOOBIG", EINVAL},
    {"WRONGSIZE", EINVAL},
    {"WRONGOFFSET", EINVAL},
    {"CANTCONNECT", EIO},
    {"WRONGCHUNKID", EINVAL},
    {"DISCONNECTED", EIO},
    {"CRC", EIO},
    {"DELAYED", EAGAIN},
    {"CANTCREATEPATH", EIO},
    {"MISMATCH", EINVAL},
    {"EROFS", EROFS},
    {"QUOTA", EDQUOT},
    {"BADSESSIONID", EBADF},
    {"NOPASSWORD", EACCES},
    {"BADPASSWORD", EACCES},
    {"ENOATTR", ENODATA},
    {"ENOTSUP", ENOTSUP},
    {"ERANGE", ERANGE},
    {"ENAMETOOLONG", ENAMETOOLONG},
    {"EISDIR", EISDIR},
    {"ELOOP", ELOOP},
    {"EFBIG", EFBIG},
    {"EXDEV", EXDEV},
    {"EBUSY", EBUSY},
    {"ETIMEDOUT", ETIMEDOUT},
    {"CORRUPTION", EIO},
    {"PROTOCOL", EPROTO},
    {"BADCONFIG", EINVAL},
    {"EAGAIN", EAGAIN},
    {"NOTFOUND", ENOENT},
    {"EMLINK", EMLINK},
    {"EINTR", EINTR},
    {"NOTLEADER", EAGAIN},
    {"EDEADLK", EDEADLK},
    {"ENOLCK", ENOLCK},
};
static_assert(std::size(kCodes) == static_cast<size_t>(Code::kLast));

}  // namespace

std::string_view code_name(Code c) {
  auto i = static_cast<size_t>(c);
  return i < std::size(kCodes) ? kCodes[i].name : std::string_view("UNKNOWN");
}

int to_errno(Code c) {
  auto i = static_cast<size_t>(c);
  return i < std::size(kCodes) ? kCodes[i].err : EIO;
}

Code from_errno(int e) {
  switch (e) {
    case 0:
      return Code::kOk;
    case EPERM:
      return Code::kPerm;
    case ENOTDIR:
      return Code::kNotDir;
    case ENOENT:
      return Code::kNoEnt;
    case EACCES:
      return Code::kAccess;
    case EEXIST:
      return Code::kExist;
    case EINVAL:
      return Code::kInval;
    case ENOTEMPTY:
      return Code::kNotEmpty;
    case ENOMEM:
      return Code::kNoMem;
    case ENOSPC:
      return Code::kNoSpace;
    case EROFS:
      return Code::kReadOnly;
    case EDQUOT:
      return Code::kQuota;
    case ENODATA:
      return Code::kNoAttr;
    case ENOTSUP:
      return Code::kNotSupported;
    case ERANGE:
      return Code::kRange;
    case ENAMETOOLONG:
      return Code::kNameTooLong;
    case EISDIR:
      return Code::kIsDir;
    case ELOOP:
      return Code::kLoop;
    case EFBIG:
      return Code::kTooBig;
    case EXDEV:
      return Code::kCrossDevice;
    case EBUSY:
      return Code::kBusy;
    case ETIMEDOUT:
      return Code::kTimeout;
    case EAGAIN:
      return Code::kAgain;
    case EMLINK:
      return Code::kMLink;
    case EINTR:
      return Code::kInterrupted;
    case EDEADLK:
      return Code::kDeadlock;
    case ENOLCK:
      return Code::kNoLocks;
    case ESTALE:
      return Code::kWrongVersion;
    case EBADF:
      return Code::kNotOpened;
    case EPROTO:
      return Code::kProtocol;
    default:
      return Code::kIo;
  }
}

Status Status::FromErrno(int e, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += std::strerror(e);
  return Status(from_errno(e), std::move(msg));
}

std::string Status::ToString() const {
  std::string s(code_name(code_));
  if (!message_.empty()) {
    s += ": ";
    s += message_;
  }
  return s;
}

}  // namespace elk
