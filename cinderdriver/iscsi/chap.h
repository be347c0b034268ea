#pragma once
// CHAP for iSCSI logins (RFC 1994 with MD5, as RFC 7143 section 12.1.3 uses it): the
// target sends an identifier and a random challenge; the initiator proves it knows the
// secret by answering MD5(identifier || secret || challenge). Values travel as 0x-hex.

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace elk::iscsi {

struct ChapCredentials {
  std::string user;
  std::string secret;
};

class ChapChallenge {
 public:
  // A fresh identifier and 16 random bytes from OpenSSL.
  static Result<ChapChallenge> Make();
  uint8_t id() const { return id_; }
  std::string challenge_hex() const;  // "0x…"
  // True when `response_hex` is the right answer for `secret`.
  bool Verify(const std::string& secret, const std::string& response_hex) const;

 private:
  uint8_t id_ = 0;
  std::vector<uint8_t> challenge_;
};

// MD5(id || secret || challenge); exposed for tests and for a CHAP-speaking client.
std::vector<uint8_t> ChapResponse(uint8_t id, const std::string& secret,
                                  const std::vector<uint8_t>& challenge);
std::string ToHex(const std::vector<uint8_t>& bytes);           // "0x…"
Result<std::vector<uint8_t>> FromHex(const std::string& text);  // accepts "0x…" / "0X…"

}  // namespace elk::iscsi
