#pragma once
// Export passwords, checked by challenge-response: the master sends a fresh random
// challenge, the client answers HMAC-SHA256(key = MD5(password), challenge). The password
// never crosses the wire, an answer is useless for any other challenge, and `md5pass=` in
// mfsexports.cfg works because the master only ever needs MD5(password).

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace elk::master {

using Challenge = std::array<uint8_t, 32>;
using ChallengeAnswer = std::array<uint8_t, 32>;
using PasswordKey = std::array<uint8_t, 16>;  // MD5(password)

Challenge NewChallenge();  // from OpenSSL's RAND_bytes
PasswordKey KeyOfPassword(std::string_view password);
ChallengeAnswer AnswerChallenge(const PasswordKey& key, const Challenge& challenge);
// Constant-time comparison with the expected answer.
bool VerifyAnswer(const PasswordKey& key, const Challenge& challenge,
                  std::span<const uint8_t> answer);

}  // namespace elk::master
