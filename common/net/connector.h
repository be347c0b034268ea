#pragma once
// Outgoing connections without blocking the loop: a non-blocking connect(2) watched for
// writability, with a timeout. `done` runs exactly once, from the loop and never inside
// ConnectAsync itself, with the connected socket or the reason there is none:
// kCantConnect (refused, unreachable), kTimeout, or an errno code. Cancel() before then
// drops the attempt and done never runs.
//
//   ConnectAsync(loop, master, std::chrono::seconds(5), [&](Result<UniqueFd> fd) {
//     if (!fd.ok()) return RetryLater(fd.status());
//     conn = Connection::Create(loop, std::move(*fd), master, options, handlers);
//   });

#include <chrono>
#include <functional>
#include <memory>

#include "common/net/address.h"
#include "common/net/event_loop.h"
#include "common/net/unique_fd.h"
#include "common/status.h"

namespace elk::net {

class PendingConnect {
 public:
  virtual ~PendingConnect() = default;
  virtual void Cancel() = 0;
};

using ConnectCallback = std::function<void(Result<UniqueFd>)>;

// The attempt keeps itself alive on the loop until it ends; keep the handle only to cancel.
std::shared_ptr<PendingConnect> ConnectAsync(EventLoop& loop, const Address& to,
                                             std::chrono::milliseconds timeout,
                                             ConnectCallback done);

}  // namespace elk::net
