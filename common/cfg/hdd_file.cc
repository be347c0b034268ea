#include "common/cfg/hdd_file.h"

#include <fmt/format.h>

#include <cctype>

#include "common/cfg/file_read.h"
#include "common/cfg/text_util.h"
#include "common/cfg/value_parse.h"
#include "common/log/log.h"

namespace elk::cfg {
namespace {

// Splits "PATH [LIMIT]"; the limit is the last word when it reads as a (signed) size.
Status SplitLimit(std::string_view content, HddEntry& entry, std::string_view& path) {
  path = content;
  size_t space = content.find_last_of(" \t");
  if (space == std::string_view::npos) return Status::Ok();
  std::string_view word = content.substr(space + 1);
  bool leave_free = !word.empty() && word[0] == '-';
  auto size = ParseSize(leave_free ? word.substr(1) : word);
  if (!size.ok()) {
    // A path may end in a word that is not a size; only a word starting with a digit or
    // '-' followed by a digit is meant as a limit.
    std::string_view digits = leave_free ? word.substr(1) : word;
    if (!digits.empty() && std::isdigit(static_cast<unsigned char>(digits[0])))
      return Status(Code::kBadConfig, fmt::format("limit {}", size.status().message()));
    return Status::Ok();
  }
  if (*size == 0) return Status(Code::kBadConfig, "limit '0' makes the disk useless");
  entry.limit_kind = leave_free ? HddEntry::Limit::kLeaveFree : HddEntry::Limit::kMaxUse;
  entry.limit_bytes = *size;
  path = Trim(content.substr(0, space));
  return Status::Ok();
}

// Strips the MooseFS prefixes ('*', '<', '>', '~', in any order and number).
std::string_view ApplyPrefixes(std::string_view content, HddEntry& entry) {
  while (!content.empty()) {
    switch (content[0]) {
      case '*':
        entry.marked_for_removal = true;
        break;
      case '<':
        entry.move_out = true;
        break;
      case '>':
        entry.move_in = true;
        break;
      case '~':
        entry.size_may_jump = true;
        break;
      default:
        return content;
    }
    content = Trim(content.substr(1));
  }
  return content;
}

Result<HddEntry> ParseLine(std::string_view content) {
  HddEntry entry;
  content = ApplyPrefixes(content, entry);
  if (entry.move_out && entry.move_in)
    return Status(Code::kBadConfig, "both '<' and '>': move chunks out of the disk or into it");
  std::string_view path;
  ELK_RETURN_IF_ERROR(SplitLimit(content, entry, path));
  if (path.empty() || path[0] != '/')
    return Status(Code::kBadConfig, fmt::format("'{}' is not an absolute path", path));
  while (path.size() > 1 && path.back() == '/')
    path.remove_suffix(1);
  entry.path = std::string(path);
  return entry;
}

// One warning per line for the prefixes ElkFS does not carry out in full.
void WarnPartialPrefixes(const HddEntry& e, std::string_view where) {
  if (e.move_out) {
    log::Warning(
        "{}: '<' {}: the disk takes no new chunks, but ElkFS does not move its "
        "chunks to the other local disks (mark it '*' to empty it through the "
        "master)",
        where, e.path);
  }
  if (e.move_in) {
    log::Warning("{}: '>' {}: ignored; ElkFS does not move chunks between local disks", where,
                 e.path);
  }
}

}  // namespace

Result<std::vector<HddEntry>> ParseHddFile(std::string_view text, std::string_view name) {
  std::vector<HddEntry> entries;
  ForEachContentLine(text, [&](size_t line, std::string_view content) {
    const std::string where = fmt::format("{}:{}", name, line);
    auto entry = ParseLine(content);
    if (!entry.ok()) {
      log::Warning("{}: {} (line skipped)", where, entry.status().message());
      return true;
    }
    for (const HddEntry& other : entries) {
      if (other.path == entry->path) {
        log::Warning("{}: {} is already listed on line {} (line skipped)", where, entry->path,
                     other.line);
        return true;
      }
    }
    WarnPartialPrefixes(*entry, where);
    entry->line = line;
    entries.push_back(std::move(entry).value());
    return true;
  });
  return entries;
}

Result<std::vector<HddEntry>> LoadHddFile(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return ParseHddFile(*text, path);
}

}  // namespace elk::cfg
