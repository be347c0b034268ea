#pragma once
// A follower master's link to its leader's metalogger port (9419): the metalogger's protocol,
// spoken with role kMaster. Hello, the answer to AUTH_CODE's challenge, MLTOMA_REGISTER with
// the version this master holds (0 when it must resync); then MATOML_CHANGELOG records to
// apply, or (MATOML_REGISTER not ok) an image to download in 1 MiB pieces, records arriving
// meanwhile held and applied after it. MATOML_LEADER_INFO tells the leader's ports, epoch
// and version (for redirects and the lag).
//
// Every record is checked (its line's CRC, its version the frame's and the next after ours).
// A gap, a repeat or a record the sink refuses (a replay error) starts a resync: an image
// download, logged; nothing is applied out of order. A lost link reconnects after
// `reconnect_delay`. All on the master's loop; the sink's calls run there too.
// See docs/failover.md, "Followers".

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/net/connection.h"
#include "common/net/connector.h"
#include "common/net/event_loop.h"
#include "common/protocol/frame.h"
#include "common/protocol/matoml.h"
#include "common/status.h"
#include "common/changelog/record.h"
#include "common/image/image_file.h"

namespace elk::master {

struct LeaderLinkOptions {
  std::string host;  // MASTER_FOLLOW's host: also the host peers are redirected to
  uint16_t port = 9419;
  std::string auth_code;
  std::string version = "elkfs";
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds reconnect_delay{1000};
  uint64_t epoch = 0;  // the leader's term, told at registration (MltomaRegister)
};

// What the link does with what it receives (the master's follower side).
struct LeaderSink {
  std::function<uint64_t()> version;  // the version to register with (0: send an image)
  std::function<Status(const image::Image&)> install_image;
  std::function<Status(const changelog::Record&)> apply;
  std::function<void(const protocol::MatomlLeaderInfo&)> leader_info;
  // Once per burst of applied records; once committed, the leader is told the version
  // (MLTOMA_APPLIED: it may be waiting for it to acknowledge, MASTER_SYNC_FOLLOWERS).
  std::function<Status()> commit;
};

class LeaderLink {
 public:
  LeaderLink(net::EventLoop& loop, LeaderLinkOptions options, LeaderSink sink);
  ~LeaderLink();
  LeaderLink(const LeaderLink&) = delete;
  LeaderLink& operator=(const LeaderLink&) = delete;

  void Start();
  // Closes the link and connects no more.
  void Stop();
  // Drops the stream and asks for an image (the state is not to be trusted).
  void Resync(const char* why);

  bool streaming() const { return state_ == State::kStreaming; }
  bool connected() const { return conn_ != nullptr; }
  const LeaderLinkOptions& options() const { return options_; }
  uint64_t images_installed() const { return images_; }
  uint64_t resyncs() const { return resyncs_; }

 private:
  enum class State { kStopped, kDisconnected, kRegistering, kStreaming, kAwaitImage, kDownloading };

  void Connect();
  void OnConnected(Result<net::UniqueFd> fd, const net::Address& leader);
  void OnClosed();
  void ScheduleReconnect();
  Status OnFrame(const protocol::FrameView& f);
  Status OnHello(const protocol::FrameView& f);
  Status OnChallenge(const protocol::FrameView& f);
  Status OnRegister(const protocol::FrameView& f);
  Status OnChangelog(const protocol::FrameView& f);
  Status OnStreamed(changelog::Record rec);
  Status OnDownloadStart(const protocol::FrameView& f);
  Status OnDownloadChunk(const protocol::FrameView& f);
  Status OnLeaderInfo(const protocol::FrameView& f);
  Status RequestPieces();
  Status FinishDownload();
  Status StartDownload(const std::string& why);
  void ScheduleCommit();
  template <typename M>
  Status SendMsg(const M& msg);

  net::EventLoop& loop_;
  LeaderLinkOptions options_;
  LeaderSink sink_;
  std::shared_ptr<net::Connection> conn_;
  std::shared_ptr<net::PendingConnect> pending_;
  State state_ = State::kStopped;
  bool hello_ = false;
  bool challenged_ = false;
  bool commit_scheduled_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  uint64_t image_size_ = 0;
  uint64_t image_version_ = 0;
  uint64_t requested_ = 0;
  std::string image_;
  std::vector<changelog::Record> held_;
  uint64_t images_ = 0;
  uint64_t resyncs_ = 0;
};

}  // namespace elk::master
