#pragma once
// Test helpers for the chunkserver: a fake master that speaks the master side of the
// chunkserver link, chunkservers on a LoopThread with their own temp disk folders, and a
// blocking client for reads and chained writes. Test-only (needs gtest).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "chunkserver/server/chunk_server.h"
#include "chunkserver/server/send.h"
#include "chunkserver/storage/test_dir.h"
#include "common/crc/crc32c.h"
#include "common/net/blocking_client.h"
#include "common/net/connection.h"
#include "common/net/listener.h"
#include "common/net/loop_thread.h"
#include "common/protocol/cltocs.h"
#include "common/protocol/codec.h"
#include "common/protocol/cstocl.h"
#include "common/protocol/cstoma.h"
#include "common/protocol/hello.h"
#include "common/protocol/matocs.h"

namespace elk::chunkserver::testing {

namespace proto = protocol;
using namespace std::chrono_literals;

// The master side of the chunkserver link, for one chunkserver at a time.
class FakeMaster {
 public:
  explicit FakeMaster(net::LoopThread& t) : t_(t) {}
  ~FakeMaster() { Stop(); }

  uint16_t Start() {
    return t_.Call([this] {
      auto l = net::Listener::Create(
          t_.loop(), net::Address{net::kLoopbackIp, 0},
          [this](net::UniqueFd fd, net::Address peer) { Accept(std::move(fd), peer); });
      EXPECT_TRUE(l.ok()) << l.status().ToString();
      listener_ = std::move(*l);
      return listener_->port();
    });
  }
  void Stop() {
    t_.Call([this] {
      if (conn_) conn_->Close();
      conn_.reset();
      listener_.reset();
    });
  }
  // Drops the current chunkserver connection (the master "restarts" the link).
  void Disconnect() {
    t_.Call([this] {
      if (conn_) conn_->Close();
      conn_.reset();
    });
  }

  // The first received frame of `type` (removed from the inbox), or nullopt after timeout.
  std::optional<net::Frame> WaitFor(uint32_t type, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mu_);
    std::optional<net::Frame> out;
    cv_.wait_for(lock, timeout, [&] {
      for (auto it = inbox_.begin(); it != inbox_.end(); ++it) {
        if (it->type == type) {
          out = std::move(*it);
          inbox_.erase(it);
          return true;
        }
      }
      return false;
    });
    return out;
  }
  template <typename M>
  std::optional<M> WaitMsg(std::chrono::milliseconds timeout = 10s) {
    auto f = WaitFor(M::kType, timeout);
    if (!f) return std::nullopt;
    keep_.push_back(std::move(f->payload));
    auto m = proto::Decode<M>(keep_.back());
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    if (!m.ok()) return std::nullopt;
    return *m;
  }
  template <typename M>
  void Send(const M& msg) {
    t_.Call([this, msg] {
      ASSERT_TRUE(conn_);
      ASSERT_TRUE(SendMsg(*conn_, msg).ok());
    });
  }
  // The epoch sent in MATOCS_REGISTER from now on.
  void set_epoch(uint64_t epoch) { epoch_.store(epoch); }
  int connections() {
    std::lock_guard lock(mu_);
    return connections_;
  }

 private:
  void Accept(net::UniqueFd fd, net::Address peer) {
    net::ConnectionOptions o;
    o.max_payload = ProtocolMaxPayload;
    auto c = net::Connection::Create(
        t_.loop(), std::move(fd), peer, o,
        {.on_frame = [this](net::Connection& conn,
                            const proto::FrameView& f) { return OnFrame(conn, f); },
         .on_close = [](net::Connection&, const Status&) {}});
    ASSERT_TRUE(c.ok());
    conn_ = std::move(*c);
    std::lock_guard lock(mu_);
    ++connections_;
  }
  Status OnFrame(net::Connection& c, const proto::FrameView& f) {
    if (f.type == proto::ANTOAN_HELLO) {
      ELK_RETURN_IF_ERROR(SendMsg(c, proto::MakeHello(proto::Role::kMaster, "test")));
      ELK_RETURN_IF_ERROR(SendMsg(c, proto::AntoanAuthChallenge{}));  // no AUTH_CODE
    } else if (f.type == proto::CSTOMA_REGISTER_DONE) {
      ELK_RETURN_IF_ERROR(SendMsg(
          c, proto::MatocsRegister{.status = Code::kOk, .server_id = 7, .epoch = epoch_.load()}));
    }
    std::lock_guard lock(mu_);
    inbox_.push_back(net::Frame{f.type, {f.payload.begin(), f.payload.end()}});
    cv_.notify_all();
    return Status::Ok();
  }

  net::LoopThread& t_;
  std::unique_ptr<net::Listener> listener_;
  std::shared_ptr<net::Connection> conn_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<net::Frame> inbox_;
  std::deque<std::vector<uint8_t>> keep_;
  int connections_ = 0;
  std::atomic<uint64_t> epoch_{0};
};

// One chunkserver on the shared loop, with its own disk folder.
struct TestServer {
  chunkstore::TestDir dir;
  std::unique_ptr<ChunkServer> server;
  uint16_t port = 0;
};

inline ServerConfig BaseConfig(const std::string& disk, uint16_t master_port) {
  ServerConfig c;
  cfg::HddEntry e;
  e.path = disk;
  c.disks = {e};
  c.leave_space = 0;
  c.listen = net::Address{net::kLoopbackIp, 0};
  c.master_host = master_port ? "127.0.0.1" : "";
  c.master_port = master_port;
  c.master_timeout = 5000ms;
  c.master_reconnection_delay = 100ms;
  c.heartbeat = 200ms;
  c.csserv_timeout = 20000ms;
  c.test_freq = 0ms;
  c.io_threads_per_disk = 2;
  return c;
}

// A blocking client of the data port, after the hello exchange.
class DataClient {
 public:
  static DataClient Connect(uint16_t port) {
    auto c = net::BlockingClient::Connect(net::Address{net::kLoopbackIp, port}, 5000ms);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    DataClient client(std::move(*c));
    client.Send(proto::MakeHello(proto::Role::kClient, "test"));
    auto hello = client.c_.Receive(5000ms);
    EXPECT_TRUE(hello.ok() && hello->type == proto::ANTOAN_HELLO);
    return client;
  }
  template <typename M>
  void Send(const M& m) {
    auto p = proto::EncodePayload(m);
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE(c_.Send(M::kType, *p).ok());
  }
  Result<net::Frame> Receive(std::chrono::milliseconds t = 10000ms) { return c_.Receive(t); }
  int fd() const { return c_.fd(); }

  // Reads [offset, offset + size): the status and the bytes received (CRCs checked).
  std::pair<Code, std::vector<uint8_t>> Read(uint64_t chunkid, uint32_t version, uint32_t offset,
                                             uint32_t size) {
    Send(proto::CltocsRead{.chunkid = chunkid, .version = version, .offset = offset, .size = size});
    std::vector<uint8_t> out(size);
    for (;;) {
      auto f = Receive();
      if (!f.ok()) return {f.code(), {}};
      if (f->type == proto::CSTOCL_READ_STATUS) {
        auto st = proto::Decode<proto::CstoclReadStatus>(proto::FrameView{f->type, f->payload});
        EXPECT_TRUE(st.ok());
        return {st->status, std::move(out)};
      }
      auto piece = proto::Decode<proto::CstoclReadData>(proto::FrameView{f->type, f->payload});
      EXPECT_TRUE(piece.ok()) << piece.status().ToString();
      if (!piece.ok()) return {Code::kProtocol, {}};
      EXPECT_EQ(crc::Crc32c(piece->data), piece->crc);
      const uint64_t at = uint64_t{piece->block} * elk::kBlockSize + piece->offset - offset;
      EXPECT_LE(at + piece->data.size(), out.size());
      std::copy(piece->data.begin(), piece->data.end(), out.begin() + static_cast<ptrdiff_t>(at));
    }
  }
  // A write answer: CSTOCL_WRITE_STATUS or CSTOCL_WRITE_ERROR.
  struct WriteAnswer {
    uint32_t write_id = 0;
    Code status = Code::kOk;
    proto::ServerAddr server;  // who failed (errors only)
  };
  // Waits for the next write answer.
  std::optional<WriteAnswer> WriteStatus(std::chrono::milliseconds t = 10000ms) {
    auto f = Receive(t);
    if (!f.ok()) {
      ADD_FAILURE() << "no write status: " << f.status().ToString();
      return std::nullopt;
    }
    if (f->type == proto::CSTOCL_WRITE_ERROR) {
      auto e = proto::Decode<proto::CstoclWriteError>(proto::FrameView{f->type, f->payload});
      EXPECT_TRUE(e.ok());
      EXPECT_NE(e->status, Code::kOk);
      return WriteAnswer{e->write_id, e->status, e->server};
    }
    auto st = proto::Decode<proto::CstoclWriteStatus>(proto::FrameView{f->type, f->payload});
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    if (!st.ok()) return std::nullopt;
    return WriteAnswer{st->write_id, st->status, {}};
  }
  void WriteData(uint64_t chunkid, uint32_t write_id, uint16_t block, uint16_t offset,
                 std::span<const uint8_t> data) {
    Send(proto::CltocsWriteData{.chunkid = chunkid,
                                .write_id = write_id,
                                .block = block,
                                .offset = offset,
                                .crc = crc::Crc32c(data),
                                .data = data});
  }

 private:
  explicit DataClient(net::BlockingClient c) : c_(std::move(c)) {}
  net::BlockingClient c_;
};

inline std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v)
    b = static_cast<uint8_t>(rng());
  return v;
}

inline proto::ServerAddr Loopback(uint16_t port) {
  return {.ip = net::kLoopbackIp, .port = port};
}

}  // namespace elk::chunkserver::testing
