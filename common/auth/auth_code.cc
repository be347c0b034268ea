#include "common/auth/auth_code.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <string>

#include "common/log/log.h"

namespace elk::auth {

namespace {
// Binds an answer to this use: the same code used elsewhere (a password, another
// protocol) cannot be made to produce one.
constexpr std::string_view kLabel = "elkfs AUTH_CODE v1";
}  // namespace

AuthChallenge NewAuthChallenge() {
  AuthChallenge c{};
  if (RAND_bytes(c.data(), static_cast<int>(c.size())) != 1) {
    log::Error("OpenSSL RAND_bytes failed: cannot make an AUTH_CODE challenge");
    std::abort();
  }
  return c;
}

std::vector<uint8_t> ChallengeFor(std::string_view code) {
  if (code.empty()) return {};
  AuthChallenge c = NewAuthChallenge();
  return {c.begin(), c.end()};
}

AuthAnswer Answer(std::string_view code, std::span<const uint8_t> challenge) {
  std::string message(kLabel);
  message.append(reinterpret_cast<const char*>(challenge.data()), challenge.size());
  AuthAnswer out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), code.data(), static_cast<int>(code.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &len);
  return out;
}

Status CheckAnswer(std::string_view code, std::span<const uint8_t> challenge,
                   std::span<const uint8_t> answer) {
  if (code.empty()) return Status::Ok();
  if (answer.empty()) {
    return Status(Code::kNoPassword, "no AUTH_CODE given (this master has one in mfsmaster.cfg)");
  }
  const AuthAnswer expected = Answer(code, challenge);
  if (answer.size() != expected.size() ||
      CRYPTO_memcmp(expected.data(), answer.data(), expected.size()) != 0) {
    return Status(Code::kBadPassword, "wrong AUTH_CODE (it differs from mfsmaster.cfg's)");
  }
  return Status::Ok();
}

Result<std::vector<uint8_t>> AnswerFor(std::string_view code, std::span<const uint8_t> challenge) {
  if (challenge.empty() && code.empty()) return std::vector<uint8_t>{};
  if (challenge.empty()) {
    return Status(Code::kBadConfig,
                  "AUTH_CODE is set here but the master asks for none: not registering "
                  "(set the same AUTH_CODE in mfsmaster.cfg, or remove it here)");
  }
  if (code.empty()) {
    return Status(Code::kNoPassword,
                  "the master requires an AUTH_CODE and none is set here: not registering "
                  "(set AUTH_CODE as in mfsmaster.cfg)");
  }
  if (challenge.size() != sizeof(AuthChallenge)) {
    return Status(Code::kProtocol,
                  fmt::format("AUTH_CODE challenge of {} bytes, expected 32", challenge.size()));
  }
  const AuthAnswer a = Answer(code, challenge);
  return std::vector<uint8_t>(a.begin(), a.end());
}

}  // namespace elk::auth
