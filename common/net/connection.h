#pragma once
// A framed, non-blocking TCP connection on an EventLoop: every ElkFS link (client-master,
// chunkserver-master, chunkserver-chunkserver, metalogger-master) is one of these.
//
// Receiving: frames (see common/protocol/frame.h) go to on_frame one whole frame at a time.
// A frame whose type is unknown (max_payload returns 0) or whose length is over its type's
// limit closes the connection before its payload is read or buffered. A non-ok Status from
// on_frame closes the connection. Keep-alive NOPs (type 0, empty) are swallowed.
//
// Sending: Send() queues a frame; queued frames are flushed after the current batch of
// events, many per writev. Over high_water queued bytes, reading from the peer pauses and
// on_pressure(true) tells the owner to stop producing; below high_water/2 both resume
// (on_pressure(false)). A Send that would take the queue over hard_limit closes the
// connection instead: memory per connection is bounded by hard_limit.
//
// Reserve(n) counts n bytes of a reply that is built but held elsewhere (the master holds
// replies until their changelog records are committed) against high_water and hard_limit,
// so a peer that pipelines requests is paused by what it asked for, not by what already
// reached the queue; SendFrame(frame, n) hands the reserved frame over. HoldReading(true)
// lets the owner pause reading for its own reasons (too much work in flight for this peer).
//
// Before the hello: until the owner calls Trust(), frames over untrusted_max_payload close
// the connection at their header (nothing of the announced size is allocated), and the
// connection closes if Trust() has not come within hello_timeout.
//
// Timers: with keepalive set, a NOP goes out when nothing was sent for that long; with
// idle_timeout set, the connection closes when nothing was received for that long.
//
// Lifetime: the owner holds the shared_ptr; the loop holds only weak references. Every
// close - by the peer, an error, a limit or Close() - is logged once with the peer and the
// reason, and on_close runs once, soon after, from the loop (never inside a call the owner
// makes), so the owner may drop its pointer there. An owner that drops its last pointer
// first (open or closed) gets no on_close: dropping is a silent close. Loop thread only; other
// threads Post() to the loop.
//
//   auto conn = Connection::Create(loop, std::move(fd), peer, options, {
//       .on_frame = [](Connection& c, const protocol::FrameView& f) {
//         return c.Send(f.type + 1, f.payload);
//       },
//       .on_close = [&](Connection& c, const Status&) { clients.erase(&c); }});

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/net/address.h"
#include "common/net/event_loop.h"
#include "common/net/read_buffer.h"
#include "common/net/unique_fd.h"
#include "common/net/write_queue.h"
#include "common/protocol/frame.h"
#include "common/status.h"

namespace elk::net {

// ANTOAN_NOP: the keep-alive, type 0 with an empty payload.
inline constexpr uint32_t kNopType = 0;

struct ConnectionOptions {
  // The largest payload accepted for a frame type; 0 = unknown type, refuse. Empty: every
  // type is accepted up to protocol::kAbsoluteMaxPayload. (A known type whose payload is
  // always empty must return at least 1.) NOPs are checked before this is asked.
  std::function<uint32_t(uint32_t type)> max_payload;
  size_t high_water = size_t{4} << 20;
  size_t hard_limit = size_t{64} << 20;
  std::chrono::milliseconds keepalive{0};     // 0: never send NOPs
  std::chrono::milliseconds idle_timeout{0};  // 0: never time out
  // How long CloseAfterFlush() waits for the queue to drain before closing anyway.
  std::chrono::milliseconds drain_timeout{5000};
  // Until Trust(): the largest payload accepted (0: only max_payload applies) and how long
  // the peer has to get there (0: forever).
  uint32_t untrusted_max_payload = 0;
  std::chrono::milliseconds hello_timeout{0};
  // Held while the connection is open and released when it closes: a ConnectionLimiter's
  // count of this peer (connection_limiter.h).
  std::shared_ptr<void> slot;
};

class Connection;

struct ConnectionHandlers {
  // The payload is valid only during the call. Non-ok: the connection closes.
  std::function<Status(Connection&, const protocol::FrameView&)> on_frame;
  // Why it closed: kDisconnected when the peer closed, kTimeout, kProtocol, kNoSpace (hard
  // limit), an errno code, or Ok when the owner called Close().
  std::function<void(Connection&, const Status& why)> on_close;
  // true: over high_water, stop producing; false: drained below high_water/2, resume.
  // Called inside Send() and flushes; it must not drop the owner's pointer (on_close may).
  std::function<void(Connection&, bool over_high_water)> on_pressure;
};

struct ConnectionStats {
  uint64_t frames_received = 0;  // NOPs included
  uint64_t nops_received = 0;
  uint64_t frames_queued = 0;  // NOPs included
  uint64_t nops_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t bytes_sent = 0;
  uint64_t read_calls = 0;
  uint64_t write_calls = 0;  // sendmsg calls
  size_t max_queued_bytes = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // Takes a connected socket (from a Listener or ConnectAsync), makes it non-blocking with
  // TCP_NODELAY and starts reading.
  static Result<std::shared_ptr<Connection>> Create(EventLoop& loop, UniqueFd fd, Address peer,
                                                    ConnectionOptions options,
                                                    ConnectionHandlers handlers);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // kDisconnected when closed or closing; kTooBig when the payload cannot fit a frame;
  // kNoSpace when the hard limit was hit (the connection is then closed).
  Status Send(uint32_t type, std::span<const uint8_t> payload);
  Status Send(uint32_t type, std::vector<uint8_t>&& payload);
  // A frame already encoded by the caller: header (whose length must match) and payload.
  // `reserved`: bytes of an earlier Reserve() this frame uses up.
  Status SendFrame(std::vector<uint8_t>&& frame, size_t reserved = 0);
  // Counts bytes the owner will send later against the queue's limits (see above).
  // kDisconnected when closed; kNoSpace (and closed) past the hard limit.
  Status Reserve(size_t bytes);

  // The peer said hello (or registered): lifts untrusted_max_payload and the hello timeout.
  void Trust();
  bool trusted() const { return trusted_; }
  // true: stop reading the peer's frames until HoldReading(false). Independent of
  // back-pressure; the peer is read only when neither holds it.
  void HoldReading(bool hold);

  // Closes now; queued frames are dropped.
  void Close(Status why = Status::Ok());
  // Stops reading, sends what is queued (a refusal message, say), then closes.
  void CloseAfterFlush(Status why = Status::Ok());

  bool open() const { return state_ == State::kOpen; }
  bool over_high_water() const { return over_high_water_; }
  size_t queued_bytes() const { return queue_.bytes(); }
  size_t reserved_bytes() const { return reserved_; }
  const Address& peer() const { return peer_; }
  // For log lines; the peer address unless the owner names it ("chunkserver 10.0.0.2:9422").
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  const ConnectionStats& stats() const { return stats_; }

 private:
  enum class State { kOpen, kDraining, kClosed };

  Connection(EventLoop& loop, UniqueFd fd, Address peer, ConnectionOptions options,
             ConnectionHandlers handlers);
  Status Start();
  void OnIo(uint32_t ready);
  void ReadSome();
  void ProcessFrames();
  bool CheckHeader(const protocol::FrameHeader& h);
  void ScheduleFlush();
  void Flush();
  void UpdateInterest();
  void CheckPressure();
  bool Paused() const { return over_high_water_ || held_; }
  void ResumeBuffered();
  void OnTick();
  void LogClose(const Status& why) const;
  std::string Who() const;
  Status Admit(size_t frame_bytes);
  void Queued();

  EventLoop& loop_;
  UniqueFd fd_;
  Address peer_;
  std::string name_;
  ConnectionOptions options_;
  ConnectionHandlers handlers_;
  State state_ = State::kOpen;
  Status drain_reason_;

  ReadBuffer in_;
  size_t next_frame_size_ = 0;  // header+payload of a checked, incomplete frame; 0 if none
  WriteQueue queue_;
  bool flush_scheduled_ = false;
  bool want_write_ = false;
  bool over_high_water_ = false;
  bool held_ = false;
  bool trusted_ = false;
  size_t reserved_ = 0;  // Reserve()d bytes not yet sent
  uint32_t interest_ = 0;

  TimerId tick_timer_ = kNoTimer;
  TimerId hello_timer_ = kNoTimer;
  TimerId drain_timer_ = kNoTimer;
  Clock::time_point last_send_;
  Clock::time_point last_receive_;
  ConnectionStats stats_;
};

}  // namespace elk::net
