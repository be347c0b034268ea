#include "cinderdriver/iscsi/chap.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace elk::iscsi {

Result<ChapChallenge> ChapChallenge::Make() {
  ChapChallenge c;
  std::vector<uint8_t> random(17);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
    return Status(Code::kIo, "no random bytes for a CHAP challenge");
  c.id_ = random[0];
  c.challenge_.assign(random.begin() + 1, random.end());
  return c;
}

std::string ChapChallenge::challenge_hex() const {
  return ToHex(challenge_);
}

bool ChapChallenge::Verify(const std::string& secret, const std::string& response_hex) const {
  auto got = FromHex(response_hex);
  if (!got.ok()) return false;
  auto want = ChapResponse(id_, secret, challenge_);
  return got->size() == want.size() && CRYPTO_memcmp(got->data(), want.data(), want.size()) == 0;
}

std::vector<uint8_t> ChapResponse(uint8_t id, const std::string& secret,
                                  const std::vector<uint8_t>& challenge) {
  std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  EVP_DigestUpdate(ctx, &id, 1);
  EVP_DigestUpdate(ctx, secret.data(), secret.size());
  EVP_DigestUpdate(ctx, challenge.data(), challenge.size());
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  EVP_MD_CTX_free(ctx);
  out.resize(len);
  return out;
}

std::string ToHex(const std::vector<uint8_t>& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string s = "0x";
  for (uint8_t b : bytes) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 15]);
  }
  return s;
}

Result<std::vector<uint8_t>> FromHex(const std::string& text) {
  if (text.size() < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
    return Status(Code::kProtocol, "CHAP value is not 0x-hex");
  std::string digits = text.substr(2);
  if (digits.empty() || digits.size() > 2048)
    return Status(Code::kProtocol, "bad CHAP value length");
  if (digits.size() % 2) digits.insert(digits.begin(), '0');
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<uint8_t> out;
  for (size_t i = 0; i < digits.size(); i += 2) {
    int hi = nibble(digits[i]), lo = nibble(digits[i + 1]);
    if (hi < 0 || lo < 0) return Status(Code::kProtocol, "bad hex digit in a CHAP value");
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

}  // namespace elk::iscsi
