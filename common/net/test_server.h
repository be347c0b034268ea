#pragma once
// A small framed server for the net tests: it echoes frames back, and a few frame types
// make it misbehave on purpose. It lives on a LoopThread; the test thread reads its state
// through Call().

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/net/connection.h"
#include "common/net/listener.h"
#include "common/net/loop_thread.h"

namespace elk::net::testing {

inline constexpr uint32_t kEcho = 10;
inline constexpr uint32_t kBurst = 20;   // payload: one byte n; answers n small frames at once
inline constexpr uint32_t kFail = 30;    // the handler returns an error
inline constexpr uint32_t kRefuse = 50;  // answers once, then closes after flushing

// Accepts kEcho..kRefuse up to 2 MiB; any other type is unknown.
inline uint32_t TestMaxPayload(uint32_t type) {
  switch (type) {
    case kEcho:
    case kBurst:
    case kFail:
    case kRefuse:
      return 2u << 20;
    default:
      return 0;
  }
}

class TestServer {
 public:
  struct Closed {
    std::string peer;
    Status why;
  };

  explicit TestServer(LoopThread& io, ConnectionOptions options = DefaultOptions())
      : io_(io), options_(std::move(options)) {}
  ~TestServer() {
    io_.Call([this] {
      conns_.clear();
      listener_.reset();
    });
  }

  static ConnectionOptions DefaultOptions() {
    ConnectionOptions o;
    o.max_payload = TestMaxPayload;
    return o;
  }

  Address Start() {
    return io_.Call([this] {
      auto l = Listener::Create(io_.loop(), Address{kLoopbackIp, 0},
                                [this](UniqueFd fd, Address peer) { Accept(std::move(fd), peer); });
      EXPECT_TRUE(l.ok()) << l.status().ToString();
      listener_ = std::move(*l);
      return listener_->address();
    });
  }

  size_t open_count() {
    return io_.Call([this] { return conns_.size(); });
  }
  std::vector<Closed> closed() {
    return io_.Call([this] { return closed_; });
  }
  std::vector<uint32_t> handled_types() {
    return io_.Call([this] { return handled_; });
  }
  // Stats of the connection accepted n-th (from 0), while it is open.
  ConnectionStats stats(size_t n) {
    return io_.Call([this, n] {
      for (auto& [id, c] : conns_) {
        if (id == n) return c->stats();
      }
      return ConnectionStats{};
    });
  }

 private:
  void Accept(UniqueFd fd, Address peer) {
    size_t id = next_id_++;
    ConnectionHandlers h;
    h.on_frame = [this](Connection& c, const protocol::FrameView& f) { return OnFrame(c, f); };
    h.on_close = [this, id](Connection& c, const Status& why) {
      closed_.push_back(Closed{c.peer().ToString(), why});
      conns_.erase(id);
    };
    auto conn = Connection::Create(io_.loop(), std::move(fd), peer, options_, std::move(h));
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conns_[id] = std::move(*conn);
  }

  Status OnFrame(Connection& c, const protocol::FrameView& f) {
    handled_.push_back(f.type);
    switch (f.type) {
      case kBurst:
        for (int i = 0; i < (f.payload.empty() ? 0 : f.payload[0]); ++i) {
          ELK_RETURN_IF_ERROR(c.Send(kEcho, std::vector<uint8_t>{uint8_t(i)}));
        }
        return Status::Ok();
      case kFail:
        return Status(Code::kInval, "test handler refuses this frame");
      case kRefuse:
        ELK_RETURN_IF_ERROR(c.Send(kRefuse, f.payload));
        c.CloseAfterFlush(Status(Code::kMismatch, "refused by test"));
        return Status::Ok();
      default:
        return c.Send(f.type, f.payload);
    }
  }

  LoopThread& io_;
  ConnectionOptions options_;
  std::unique_ptr<Listener> listener_;
  std::map<size_t, std::shared_ptr<Connection>> conns_;
  size_t next_id_ = 0;
  std::vector<Closed> closed_;
  std::vector<uint32_t> handled_;
};

}  // namespace elk::net::testing
