#include "mount/fuse/meta_names.h"

#include <fmt/format.h>

#include <algorithm>

namespace elk::mount::meta_names {

std::string ItemName(uint32_t inode, std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::string shown;
  if (path.size() > kLongestShown) {
    // The end of a path names the file; its start is the part most often shared.
    shown = "(...)";
    shown.append(path.substr(path.size() - kShownTail));
  } else {
    shown.assign(path);
  }
  std::replace(shown.begin(), shown.end(), '/', '|');
  return fmt::format("{:08X}|{}", inode, shown);
}

uint32_t InodeOfName(std::string_view name) {
  const size_t bar = name.find('|');
  if (bar == 0 || bar > 8 || bar == std::string_view::npos || bar + 1 == name.size()) return 0;
  uint32_t inode = 0;
  for (char c : name.substr(0, bar)) {
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return 0;
    }
    inode = inode * 16 + static_cast<uint32_t>(digit);
  }
  return inode;
}

std::string PathText(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return std::string(path) + "\n";
}

std::string PathFromText(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return std::string(text);
}

std::string_view PathBuffer::Read(uint64_t off, size_t size) const {
  if (off >= text_.size()) return {};
  return std::string_view(text_).substr(static_cast<size_t>(off), size);
}

Status PathBuffer::Write(uint64_t off, std::string_view data) {
  if (off > kMaxWritten || data.size() > kMaxWritten - off) {
    return Status(Code::kInval, "a restore path is at most 4096 bytes");
  }
  if (!changed_) text_.clear();
  const auto at = static_cast<size_t>(off);
  if (text_.size() < at + data.size()) text_.resize(at + data.size(), '\0');
  text_.replace(at, data.size(), data);
  changed_ = true;
  return Status::Ok();
}

std::string PathBuffer::TakeWritten() {
  changed_ = false;
  return text_;
}

}  // namespace elk::mount::meta_names
