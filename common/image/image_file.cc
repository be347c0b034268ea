#include "common/image/image_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "common/atomic_file.h"
#include "common/crc/crc32c.h"

namespace elk::image {
namespace {

constexpr std::string_view kMagic = "ELKFSMD1";  // 8 bytes
constexpr std::string_view kEndTag = "END!";
constexpr size_t kSectionHeader = 4 + 8 + 8 + 4 + 4;  // tag, raw, packed, raw crc, header crc
constexpr uint64_t kMaxSection = uint64_t{64} << 30;  // refuse absurd sizes before allocating

void PutU32(std::string& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out += static_cast<char>((v >> s) & 0xFF);
}
void PutU64(std::string& out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v >> 32));
  PutU32(out, static_cast<uint32_t>(v));
}
uint32_t GetU32(const char* p) {
  auto b = [p](int i) { return uint32_t{static_cast<unsigned char>(p[i])}; };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}
uint64_t GetU64(const char* p) {
  return (uint64_t{GetU32(p)} << 32) | GetU32(p + 4);
}
uint32_t Crc(std::string_view s) {
  return crc::Crc32c(0, s.data(), s.size());
}

Status Corrupt(std::string_view what) {
  return Status(Code::kCorruption, fmt::format("metadata image: {}", what));
}

void PutSectionHeader(std::string& out, std::string_view tag, uint64_t raw, uint64_t packed,
                      uint32_t raw_crc) {
  size_t start = out.size();
  out += tag;
  PutU64(out, raw);
  PutU64(out, packed);
  PutU32(out, raw_crc);
  PutU32(out, Crc(std::string_view(out).substr(start)));
}

Status DecodeSection(std::string_view& rest, Section& s, bool& end) {
  if (rest.size() < kSectionHeader) return Corrupt("cut inside a section header");
  s.tag = std::string(rest.substr(0, 4));
  uint64_t raw = GetU64(rest.data() + 4);
  uint64_t packed = GetU64(rest.data() + 12);
  uint32_t raw_crc = GetU32(rest.data() + 20);
  if (GetU32(rest.data() + 24) != Crc(rest.substr(0, 24))) {
    return Corrupt(fmt::format("section '{}' header fails its checksum", s.tag));
  }
  rest.remove_prefix(kSectionHeader);
  end = s.tag == kEndTag;
  if (end) return Status::Ok();
  if (raw > kMaxSection || packed > rest.size()) {
    return Corrupt(fmt::format("section '{}' is cut short", s.tag));
  }
  s.data.resize(raw);
  size_t got = ZSTD_decompress(s.data.data(), raw, rest.data(), packed);
  if (ZSTD_isError(got) || got != raw) {
    return Corrupt(fmt::format("section '{}' does not decompress", s.tag));
  }
  if (Crc(s.data) != raw_crc) return Corrupt(fmt::format("section '{}' fails its checksum", s.tag));
  rest.remove_prefix(packed);
  return Status::Ok();
}

}  // namespace

const Section* Image::Find(std::string_view tag) const {
  for (const auto& s : sections) {
    if (s.tag == tag) return &s;
  }
  return nullptr;
}

std::string ImagePath(const std::string& dir) {
  return dir + "/metadata.mfs";
}
std::string BackPath(const std::string& dir, uint32_t n) {
  return fmt::format("{}/metadata.mfs.back.{}", dir, n);
}

Result<std::string> Encode(const Image& image, int zstd_level) {
  std::string out(kMagic);
  PutU64(out, image.version);
  PutU64(out, image.saved_at);
  PutU32(out, Crc(out));
  for (const Section& s : image.sections) {
    if (s.tag.size() != 4 || s.tag == kEndTag) return Status(Code::kInval, "bad section tag");
    std::string packed(ZSTD_compressBound(s.data.size()), '\0');
    size_t n =
        ZSTD_compress(packed.data(), packed.size(), s.data.data(), s.data.size(), zstd_level);
    if (ZSTD_isError(n)) return Status(Code::kIo, ZSTD_getErrorName(n));
    PutSectionHeader(out, s.tag, s.data.size(), n, Crc(s.data));
    out.append(packed.data(), n);
  }
  PutSectionHeader(out, kEndTag, 0, 0, Crc(out));
  return out;
}

Result<Image> Decode(std::string_view bytes) {
  constexpr size_t kHeader = 8 + 8 + 8 + 4;
  if (bytes.size() < kHeader || bytes.substr(0, 8) != kMagic) return Corrupt("not an ElkFS image");
  if (GetU32(bytes.data() + 24) != Crc(bytes.substr(0, 24))) {
    return Corrupt("header fails its checksum");
  }
  Image image;
  image.version = GetU64(bytes.data() + 8);
  image.saved_at = GetU64(bytes.data() + 16);
  std::string_view rest = bytes.substr(kHeader);
  for (;;) {
    size_t offset = bytes.size() - rest.size();
    Section s;
    bool end = false;
    ELK_RETURN_IF_ERROR(DecodeSection(rest, s, end));
    if (end) {
      if (GetU32(bytes.data() + offset + 20) != Crc(bytes.substr(0, offset))) {
        return Corrupt("end marker checksum does not match the file");
      }
      if (!rest.empty()) return Corrupt("bytes after the end marker");
      return image;
    }
    image.sections.push_back(std::move(s));
  }
}

Status Save(const std::string& dir, const Image& image, uint32_t keep_backs) {
  auto bytes = Encode(image);
  if (!bytes.ok()) return bytes.status();
  std::string tmp = dir + "/metadata.mfs.tmp";
  ELK_RETURN_IF_ERROR(WriteFileSynced(tmp, *bytes));
  if (keep_backs > 0) {
    ::unlink(BackPath(dir, keep_backs).c_str());
    for (uint32_t n = keep_backs; n > 1; n--) {
      ::rename(BackPath(dir, n - 1).c_str(), BackPath(dir, n).c_str());
    }
    // A hard link, not a rename: metadata.mfs must exist at every instant.
    ::unlink(BackPath(dir, 1).c_str());
    if (::link(ImagePath(dir).c_str(), BackPath(dir, 1).c_str()) != 0 && errno != ENOENT) {
      return Status::FromErrno(errno, "keep previous image");
    }
  }
  if (::rename(tmp.c_str(), ImagePath(dir).c_str()) != 0) {
    return Status::FromErrno(errno, "rename " + tmp);
  }
  return SyncDir(dir);
}

Result<Image> Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNoEnt, "cannot open " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto image = Decode(bytes);
  if (!image.ok()) return Status(image.code(), path + ": " + image.status().message());
  return image;
}

}  // namespace elk::image
