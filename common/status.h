#pragma once
// Errors as values. A Status is a code from one table shared by every part of ElkFS
// (it is also the status byte on the wire) plus a message for people. Result<T> holds
// a value or a Status. Codes map to errno at the FUSE edge with to_errno().

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace elk {

// The wire status byte. Values are fixed forever: append, never renumber.
enum class Code : uint8_t {
  kOk = 0,
  kPerm = 1,             // EPERM
  kNotDir = 2,           // ENOTDIR
  kNoEnt = 3,            // ENOENT
  kAccess = 4,           // EACCES
  kExist = 5,            // EEXIST
  kInval = 6,            // EINVAL
  kNotEmpty = 7,         // ENOTEMPTY
  kChunkLost = 8,        // no valid copy of a chunk is reachable (EIO)
  kNoMem = 9,            // ENOMEM
  kIndexTooBig = 10,     // chunk index beyond the file size limit (EFBIG)
  kLocked = 11,          // chunk locked by another writer (EAGAIN)
  kNoChunkServers = 12,  // no chunkserver can take a new chunk (ENOSPC)
  kNoChunk = 13,         // chunk does not exist (ENXIO)
  kChunkBusy = 14,       // EBUSY
  kBadRegister = 15,     // registration refused (EACCES)
  kNotDone = 16,         // operation not finished (EAGAIN)
  kNotOpened = 17,       // EBADF
  kNotStarted = 18,      // EAGAIN
  kWrongVersion = 19,    // chunk copy has another version (ESTALE)
  kChunkExists = 20,     // EEXIST
  kNoSpace = 21,         // ENOSPC
  kIo = 22,              // EIO
  kBlockTooBig = 23,     // block number out of range (EINVAL)
  kWrongSize = 24,       // EINVAL
  kWrongOffset = 25,     // EINVAL
  kCantConnect = 26,     // EIO
  kWrongChunkId = 27,    // EINVAL
  kDisconnected = 28,    // EIO
  kCrc = 29,             // block checksum mismatch (EIO)
  kDelayed = 30,         // try again later (EAGAIN)
  kCantCreatePath = 31,  // EIO
  kMismatch = 32,        // EINVAL
  kReadOnly = 33,        // EROFS
  kQuota = 34,           // EDQUOT
  kBadSession = 35,      // EBADF
  kNoPassword = 36,      // EACCES
  kBadPassword = 37,     // EACCES
  kNoAttr = 38,          // ENODATA
  kNotSupported = 39,    // ENOTSUP
  kRange = 40,           // ERANGE
  kNameTooLong = 41,     // ENAMETOOLONG
  kIsDir = 42,           // EISDIR
  kLoop = 43,            // ELOOP
  kTooBig = 44,          // EFBIG
  kCrossDevice = 45,     // EXDEV
  kBusy = 46,            // EBUSY
  kTimeout = 47,         // ETIMEDOUT
  kCorruption = 48,      // stored data failed its checksum or did not parse (EIO)
  kProtocol = 49,        // a peer broke the wire protocol (EPROTO)
  kBadConfig = 50,       // a configuration file was refused (EINVAL)
  kAgain = 51,           // EAGAIN
  kNotFound = 52,        // a looked-up thing that is not a file (ENOENT)
  kMLink = 53,           // EMLINK
  kInterrupted = 54,     // EINTR
  kNotLeader = 55,       // this master follows another (EAGAIN); see ANTOAN_NOT_LEADER
  kDeadlock = 56,        // a lock wait would deadlock (EDEADLK)
  kNoLocks = 57,         // no room for another lock or lock wait (ENOLCK)
  kLast = 58,
};

std::string_view code_name(Code c);
int to_errno(Code c);
Code from_errno(int e);

class [[nodiscard]] Status {
 public:
  Status() = default;
  explicit Status(Code code, std::string message = {})
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status FromErrno(int e, std::string_view what);

  bool ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  int to_errno() const { return elk::to_errno(code_); }
  // "ENOENT: no such file 'a/b'" - the code's name then the message.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline bool operator==(const Status& s, Code c) {
  return s.code() == c;
}

// A value or the Status that says why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design
  Result(Code code, std::string message = {}) : v_(Status(code, std::move(message))) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(v_);
  }
  Code code() const { return ok() ? Code::kOk : std::get<1>(v_).code(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace elk

// Returns the Status of an expression from the enclosing function when it is not ok.
#define ELK_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::elk::Status elk_status_ = (expr);        \
    if (!elk_status_.ok()) return elk_status_; \
  } while (0)
