#pragma once
// The AUTH_CODE step of a chunkserver or metalogger link on the master (ports 9420 and
// 9419): the challenge sent after our hello, and the check of the first frame after the
// peer's hello. Nothing else of the link runs before this passes. See
// common/auth/auth_code.h for the rules and docs/security.md for what they protect.

#include <cstdint>
#include <string>
#include <vector>

#include "common/protocol/antoan.h"
#include "common/protocol/frame.h"
#include "common/status.h"

namespace elk::master {

class PeerAuth {
 public:
  // `code`: mfsmaster.cfg's AUTH_CODE, empty when none.
  explicit PeerAuth(std::string code);

  // What to send after our hello (a fresh challenge, or an empty one without a code).
  protocol::AntoanAuthChallenge Challenge() const { return {challenge_}; }

  enum class Step {
    kConsumed,  // the frame was the answer, and it passed
    kPass,      // not an answer, but this master asks none: handle the frame as usual
  };
  // The first frame after the peer's hello. An error means refuse the peer: its message
  // says why ("wrong AUTH_CODE ...") for both logs.
  Result<Step> OnFirstFrame(const protocol::FrameView& frame);

  bool passed() const { return passed_; }
  bool required() const { return !code_.empty(); }

 private:
  std::string code_;
  std::vector<uint8_t> challenge_;
  bool passed_ = false;
};

}  // namespace elk::master
