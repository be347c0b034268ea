#include "mount/tools/chunk_digest.h"

#include <fmt/format.h>

#include <array>
#include <vector>

namespace elk::tools {
namespace {

std::vector<uint8_t> BigEndian(std::span<const uint32_t> crcs) {
  std::vector<uint8_t> bytes;
  bytes.reserve(crcs.size() * 4);
  for (uint32_t c : crcs) {
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes.push_back(static_cast<uint8_t>(c >> shift));
  }
  return bytes;
}

std::string Hex(std::span<const uint8_t> digest) {
  std::string out;
  for (uint8_t b : digest)
    out += fmt::format("{:02X}", b);
  return out;
}

}  // namespace

FileSignature::FileSignature() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_) EVP_DigestInit_ex(ctx_.get(), EVP_md5(), nullptr);
}

void FileSignature::AddChunk(std::span<const uint32_t> crcs) {
  std::vector<uint8_t> bytes = BigEndian(crcs);
  if (ctx_) EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size());
}

std::string FileSignature::Hex() {
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned len = 0;
  if (!ctx_ || EVP_DigestFinal_ex(ctx_.get(), digest.data(), &len) != 1) return "?";
  return tools::Hex(std::span<const uint8_t>(digest.data(), len));
}

std::string ChecksumDigest(std::span<const uint32_t> crcs) {
  FileSignature one;
  one.AddChunk(crcs);
  return one.Hex();
}

}  // namespace elk::tools
