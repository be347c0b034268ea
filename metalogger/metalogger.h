#pragma once
// mfsmetalogger as an object: one event loop, one link to the master, the Store.
//
// The link: connect (MASTER_HOST:MASTER_PORT), hello, the answer to the master's AUTH_CODE
// challenge (common/auth/auth_code.h), MLTOMA_REGISTER with the last version
// held. MATOML_REGISTER(kOk): the master streams the records after it. Any other status
// (nothing held, or the master no longer has what follows): download the image - ask with
// MLTOMA_DOWNLOAD_START, pull 1 MiB pieces (a few in flight, each CRC-checked), check the
// whole image decodes and has the announced version, save it, rotate the changelog, send
// MLTOMA_DOWNLOAD_END. Records that arrive meanwhile (version > the image's) are held in
// memory and written after the image.
//
// Every record is checked: its line's CRC, its version equal to the frame's, and the next
// after the last held. A gap or a repeat starts a resync (an image download); nothing is
// written out of order. A lost connection is retried after MASTER_RECONNECTION_DELAY,
// doubling up to 8 times that (at most 30 s) while attempts fail. A fresh image is fetched
// every META_DOWNLOAD_FREQ. See docs/metalogger.md.
//
//   auto ml = Metalogger::Create(config);
//   std::jthread t([&] { (void)(*ml)->Run(); });
//   ...
//   (*ml)->Stop();  // any thread

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/changelog/record.h"
#include "common/net/connection.h"
#include "common/net/connector.h"
#include "common/net/event_loop.h"
#include "common/net/master_addresses.h"
#include "common/protocol/frame.h"
#include "common/status.h"
#include "metalogger/config.h"
#include "metalogger/store.h"

namespace elk::metalogger {

class Metalogger {
 public:
  static Result<std::unique_ptr<Metalogger>> Create(const MetaloggerConfig& config);
  ~Metalogger();
  Metalogger(const Metalogger&) = delete;
  Metalogger& operator=(const Metalogger&) = delete;

  // Serves until Stop(); then writes what is buffered.
  Status Run();
  // Any thread, async-signal-safe.
  void Stop();

  // Any thread: the last version written to the files, images saved, registrations.
  uint64_t last_version() const { return last_version_.load(); }
  uint64_t images_downloaded() const { return images_.load(); }
  uint64_t registrations() const { return registrations_.load(); }

 private:
  enum class State { kDisconnected, kRegistering, kStreaming, kAwaitImage, kDownloading };

  explicit Metalogger(MetaloggerConfig config);
  Status Init();
  void Connect();
  void OnConnected(Result<net::UniqueFd> fd, const net::Address& master);
  void OnClosed(const Status& why);
  void ScheduleReconnect();
  // The next master of the round at once, or (the round over) a new round after the delay.
  void TryNextMaster();
  Status OnFrame(const protocol::FrameView& f);
  Status OnHello(const protocol::FrameView& f);
  Status OnChallenge(const protocol::FrameView& f);
  Status OnRegister(const protocol::FrameView& f);
  Status OnChangelog(const protocol::FrameView& f);
  Status OnDownloadStart(const protocol::FrameView& f);
  Status OnDownloadChunk(const protocol::FrameView& f);
  Status RequestPieces();
  Status FinishDownload();
  Status StartDownload(const char* why);
  void ScheduleCommit();
  void CommitNow();
  template <typename M>
  Status SendMsg(const M& msg);

  MetaloggerConfig config_;
  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<net::Connection> conn_;
  std::shared_ptr<net::PendingConnect> pending_;
  State state_ = State::kDisconnected;
  bool hello_ = false;
  bool challenged_ = false;  // the AUTH_CODE challenge was answered
  bool commit_scheduled_ = false;
  std::chrono::milliseconds delay_;
  // MASTER_HOST's masters and the round being tried; a follower's "the leader is" is
  // tried next. `trying_` is the one being connected to.
  net::MasterAddresses masters_;
  net::MasterTarget trying_;
  bool redirected_ = false;  // the last close came with a redirect: wait the delay first
  bool registered_ = false;  // the master of this connection answered our registration
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  // The image being downloaded and the records that follow it.
  uint64_t image_size_ = 0;
  uint64_t image_version_ = 0;
  uint64_t requested_ = 0;  // bytes asked for
  std::string image_;       // bytes received, in order
  std::vector<changelog::Record> held_;

  std::atomic<uint64_t> last_version_{0};
  std::atomic<uint64_t> images_{0};
  std::atomic<uint64_t> registrations_{0};
  // The term of the master whose records the store holds (its MATOML_REGISTER), told to the
  // next master: another term's tail gets replaced by an image there. 0: unknown.
  uint64_t epoch_ = 0;
  uint64_t offered_epoch_ = 0;  // the term of the master answering now
};

}  // namespace elk::metalogger
