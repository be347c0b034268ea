#include "master/sessions/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "common/log/log.h"

namespace elk::master {

Challenge NewChallenge() {
  Challenge c{};
  if (RAND_bytes(c.data(), static_cast<int>(c.size())) != 1) {
    // Without randomness a challenge could be replayed; refusing to go on is the safe answer.
    log::Error("OpenSSL RAND_bytes failed: cannot make a password challenge");
    std::abort();
  }
  return c;
}

PasswordKey KeyOfPassword(std::string_view password) {
  PasswordKey key{};
  unsigned int len = 0;
  EVP_Digest(password.data(), password.size(), key.data(), &len, EVP_md5(), nullptr);
  return key;
}

ChallengeAnswer AnswerChallenge(const PasswordKey& key, const Challenge& challenge) {
  ChallengeAnswer out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), challenge.data(), challenge.size(),
       out.data(), &len);
  return out;
}

bool VerifyAnswer(const PasswordKey& key, const Challenge& challenge,
                  std::span<const uint8_t> answer) {
  if (answer.size() != sizeof(ChallengeAnswer)) return false;
  ChallengeAnswer expected = AnswerChallenge(key, challenge);
  return CRYPTO_memcmp(expected.data(), answer.data(), expected.size()) == 0;
}

}  // namespace elk::master
