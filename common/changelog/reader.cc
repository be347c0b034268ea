#include "common/changelog/reader.h"

#include <dirent.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>

#include "common/log/log.h"

namespace elk::changelog {
namespace {

Result<std::string> Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNoEnt, "cannot open " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

Result<FileContents> ReadFile(const std::string& path) {
  auto data = Slurp(path);
  if (!data.ok()) return data.status();
  FileContents out;
  std::string_view rest(*data);
  uint64_t offset = 0;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    bool last = nl == std::string_view::npos || nl + 1 == rest.size();
    auto record = nl == std::string_view::npos
                      ? Result<Record>(Code::kCorruption, "record without end of line")
                      : ParseRecord(rest.substr(0, nl));
    if (!record.ok()) {
      if (!last) {
        return Status(Code::kCorruption,
                      fmt::format("{}: at byte {}: {}", path, offset, record.status().message()));
      }
      out.torn_tail = true;
      break;
    }
    out.records.push_back(std::move(*record));
    offset += nl + 1;
    rest.remove_prefix(nl + 1);
  }
  out.valid_bytes = offset;
  return out;
}

Status CutTornTail(const std::string& path, uint64_t valid_bytes) {
  if (::truncate(path.c_str(), static_cast<off_t>(valid_bytes)) != 0) {
    return Status::FromErrno(errno, "truncate " + path);
  }
  return Status::Ok();
}

std::vector<std::string> ListFiles(const std::string& dir, const std::string& prefix) {
  std::vector<std::pair<uint32_t, std::string>> found;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string_view name(e->d_name);
      if (!name.starts_with(prefix + ".") || !name.ends_with(".mfs")) continue;
      std::string_view num = name.substr(prefix.size() + 1, name.size() - prefix.size() - 5);
      uint32_t n = 0;
      auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
      if (ec != std::errc() || p != num.data() + num.size()) continue;
      found.emplace_back(n, dir + "/" + std::string(name));
    }
    ::closedir(d);
  }
  std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::vector<std::string> files;
  for (auto& f : found)
    files.push_back(std::move(f.second));
  return files;
}

Result<uint64_t> Replay(const std::vector<std::string>& files, uint64_t after, bool cut_torn,
                        const std::function<Status(const Record&)>& apply) {
  struct Loaded {
    std::string path;
    FileContents contents;
  };
  std::vector<Loaded> loaded;
  for (const auto& f : files) {
    auto c = ReadFile(f);
    if (!c.ok()) return c.status();
    if (c->records.empty() && !c->torn_tail) continue;
    loaded.push_back({f, std::move(*c)});
  }
  auto first = [](const Loaded& l) {
    return l.contents.records.empty() ? UINT64_MAX : l.contents.records.front().version;
  };
  std::stable_sort(loaded.begin(), loaded.end(),
                   [&](const Loaded& a, const Loaded& b) { return first(a) < first(b); });
  uint64_t last = after;
  for (size_t i = 0; i < loaded.size(); i++) {
    const Loaded& l = loaded[i];
    for (const Record& r : l.contents.records) {
      if (r.version <= last) continue;  // already in the image, or in an overlapping file
      if (r.version != last + 1) {
        return Status(Code::kCorruption,
                      fmt::format("{}: version {} follows {}: changelog records are missing",
                                  l.path, r.version, last));
      }
      ELK_RETURN_IF_ERROR(apply(r));
      last = r.version;
    }
    if (l.contents.torn_tail) {
      if (i + 1 < loaded.size() && first(loaded[i + 1]) != UINT64_MAX) {
        return Status(Code::kCorruption,
                      fmt::format("{}: a damaged record is followed by newer files", l.path));
      }
      log::Warning("{}: last record is torn after byte {} (version {}); {}", l.path,
                   l.contents.valid_bytes, last, cut_torn ? "cutting it" : "ignoring it");
      if (cut_torn) ELK_RETURN_IF_ERROR(CutTornTail(l.path, l.contents.valid_bytes));
    }
  }
  return last;
}

}  // namespace elk::changelog
