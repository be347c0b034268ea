#pragma once
// The meta mount's names and file contents, as MooseFS's mfsmount -m shows them. Pure
// logic (no FUSE, no master), so it is unit tested on its own (meta_names_test).
//
//   name of a trash/reserved item   "%08X|" + path without its leading '/', '/' as '|'
//   content of a trash item          the path without its leading '/', and "\n"
//   written content                  the new restore path (one trailing "\n" dropped)

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace elk::mount::meta_names {

// A path longer than this is shown shortened, as MooseFS's master sends it: "(...)" and its
// last kShownTail bytes (240 in all), so "%08X|" + name stays within NAME_MAX (249 bytes).
inline constexpr size_t kLongestShown = 240;
inline constexpr size_t kShownTail = 235;
// What may be written to an item: a restore path of up to 4096 bytes and its newline.
inline constexpr size_t kMaxWritten = 4096 + 1;

std::string ItemName(uint32_t inode, std::string_view path);
// The inode a name in trash/ or reserved/ stands for: the hex digits (1 to 8) before its
// first '|', which must be followed by something. Only the number counts, as in MooseFS:
// a shortened name, or one whose restore path has changed since it was listed, still finds
// its item. 0 when the name has no such form.
uint32_t InodeOfName(std::string_view name);
// What reading a trash item gives.
std::string PathText(std::string_view path);
// The restore path in what was written: one trailing newline dropped (`echo` adds it).
std::string PathFromText(std::string_view text);

// The content of one open item. As MooseFS's mfsmount: reads see the path; the first write
// after open replaces the whole content (so `echo dir/f > item` works whether or not the
// kernel's truncate reaches the file system), later writes land where they say; the new
// path is taken when the file is flushed.
class PathBuffer {
 public:
  explicit PathBuffer(std::string text) : text_(std::move(text)) {}
  std::string_view Read(uint64_t off, size_t size) const;
  // kInval past kMaxWritten (nothing changes then).
  Status Write(uint64_t off, std::string_view data);
  bool changed() const { return changed_; }
  // The written content, once: changed() is false afterwards.
  std::string TakeWritten();

 private:
  std::string text_;
  bool changed_ = false;
};

}  // namespace elk::mount::meta_names
