#pragma once
// AUTH_CODE: the shared key that chunkservers and metaloggers prove to the master before
// they register (mfsmaster.cfg, mfschunkserver.cfg, mfsmetalogger.cfg).
//
// After the hellos the master sends ANTOAN_AUTH_CHALLENGE: 32 fresh random bytes when it
// has an AUTH_CODE, nothing when it has none. The peer answers ANTOAN_AUTH_ANSWER with
// HMAC-SHA256(key = AUTH_CODE, "elkfs AUTH_CODE v1" || challenge), or nothing when it has
// no code. The code never crosses the wire and an answer is worth nothing for another
// challenge. Both sides' rules are here, so the master, the chunkserver and the
// metalogger cannot disagree (see docs/security.md):
//   master with a code: refuses a peer whose answer is missing or wrong;
//   master without one: accepts every peer;
//   peer with a code, master without: the peer refuses to register (a code set on one
//   side only is a mistake that would leave the cluster open while looking closed).

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace elk::auth {

using AuthChallenge = std::array<uint8_t, 32>;
using AuthAnswer = std::array<uint8_t, 32>;

// From OpenSSL's RAND_bytes; aborts when the generator fails (a predictable challenge
// could be answered by replay).
AuthChallenge NewAuthChallenge();

// The master's side: the challenge it sends (empty when `code` is empty).
std::vector<uint8_t> ChallengeFor(std::string_view code);

AuthAnswer Answer(std::string_view code, std::span<const uint8_t> challenge);

// The master's side: Ok when a peer that sent `answer` to `challenge` may register.
// kNoPassword (no answer while a code is set), kBadPassword (a wrong one), with a message
// for the log.
Status CheckAnswer(std::string_view code, std::span<const uint8_t> challenge,
                   std::span<const uint8_t> answer);

// The peer's side: what to send back for the master's `challenge`, or why not to
// register: kNoPassword (the master asks for a code and none is set here), kBadConfig (a
// code is set here and the master asks for none), kProtocol (a challenge of a wrong size).
Result<std::vector<uint8_t>> AnswerFor(std::string_view code, std::span<const uint8_t> challenge);

}  // namespace elk::auth
