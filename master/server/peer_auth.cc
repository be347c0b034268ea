#include "master/server/peer_auth.h"

#include <fmt/format.h>

#include <utility>

#include "common/auth/auth_code.h"
#include "common/protocol/codec.h"

namespace elk::master {

namespace proto = protocol;

PeerAuth::PeerAuth(std::string code)
    : code_(std::move(code)), challenge_(auth::ChallengeFor(code_)) {}

Result<PeerAuth::Step> PeerAuth::OnFirstFrame(const proto::FrameView& frame) {
  if (frame.type != proto::ANTOAN_AUTH_ANSWER) {
    // A peer that skips the step (an older build, or one that does not know the code).
    if (!code_.empty()) {
      return Status(Code::kNoPassword,
                    fmt::format("sent {} instead of the AUTH_CODE answer: no AUTH_CODE given",
                                proto::TypeName(frame.type)));
    }
    passed_ = true;
    return Step::kPass;
  }
  auto m = proto::Decode<proto::AntoanAuthAnswer>(frame);
  if (!m.ok()) return m.status();
  ELK_RETURN_IF_ERROR(auth::CheckAnswer(code_, challenge_, m->answer));
  passed_ = true;
  return Step::kConsumed;
}

}  // namespace elk::master
