#pragma once
// mfsfileinfo -c / -s as MooseFS prints them: a copy's "checksum digest" is the MD5 of its
// block CRCs (4 bytes each, big-endian, as they travel on the wire); a file's "signature" is
// the MD5 of those CRC lists, one valid copy's per chunk, in chunk order.

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace elk::tools {

// 32 upper-case hex digits.
std::string ChecksumDigest(std::span<const uint32_t> crcs);

class FileSignature {
 public:
  FileSignature();
  void AddChunk(std::span<const uint32_t> crcs);
  std::string Hex();  // once, at the end

 private:
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

}  // namespace elk::tools
