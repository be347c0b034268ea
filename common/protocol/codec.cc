#include "common/protocol/codec.h"

#include <fmt/format.h>

namespace elk::protocol {

bool Reader::Fail(std::string why) {
  if (why_.empty()) {
    why_ = std::move(why);
    fail_offset_ = pos_;
  }
  return false;
}

bool Reader::Truncated(size_t needed) {
  return Fail(fmt::format("truncated: needs {} bytes, {} left", needed, remaining()));
}

void Reader::PrependField(std::string_view name) {
  if (path_.empty() || path_.front() == '[') {
    path_.insert(0, name);
  } else {
    path_.insert(0, fmt::format("{}.", name));
  }
}

void Reader::PrependIndex(size_t index) {
  bool joins = !path_.empty() && path_.front() != '[';
  path_.insert(0, joins ? fmt::format("[{}].", index) : fmt::format("[{}]", index));
}

Status Reader::ToStatus(std::string_view message_name) const {
  return Status(Code::kProtocol,
                fmt::format("{}.{}: {} (offset {})", message_name, path_, why_, fail_offset_));
}

Status CheckPayloadSize(uint32_t type, size_t size) {
  if (!KnownType(type)) {
    return Status(Code::kProtocol, fmt::format("message type {} is unknown", type));
  }
  if (size > MaxPayload(type)) {
    return Status(Code::kProtocol, fmt::format("{} payload of {} bytes exceeds its maximum of {}",
                                               TypeName(type), size, MaxPayload(type)));
  }
  return Status::Ok();
}

namespace detail {

std::string CountTooLarge(uint32_t count, size_t min_item, size_t remaining) {
  return fmt::format("count {} of items of at least {} bytes exceeds the {} bytes left", count,
                     min_item, remaining);
}

std::string BadFlag(unsigned value) {
  return fmt::format("flag byte {} is neither 0 nor 1", value);
}

std::string BadEnum(int64_t value) {
  return fmt::format("enum value {} out of range", value);
}

Status TrailingBytes(uint32_t type, size_t count) {
  return Status(Code::kProtocol,
                fmt::format("{}: {} trailing bytes after the last field", TypeName(type), count));
}

Status WrongType(uint32_t expected, uint32_t got) {
  return Status(Code::kProtocol, fmt::format("expected a {} frame, got {} ({})", TypeName(expected),
                                             TypeName(got), got));
}

}  // namespace detail
}  // namespace elk::protocol
