#pragma once
// The metalogger side of the master (port 9419): a ChangelogRing of recent committed records
// and one MetaloggerLink per connected metalogger, all owned by a MetaloggerHub.
//
// A link: both sides send ANTOAN_HELLO; the master sends ANTOAN_AUTH_CHALLENGE and the
// metalogger must answer it (PeerAuth: AUTH_CODE) before anything else - no record and no
// image leaves the master before that; then the metalogger sends MLTOMA_REGISTER with the last
// version it holds. If the ring still holds every record after it, the master answers
// MATOML_REGISTER(kOk) and streams MATOML_CHANGELOG from there. Otherwise it answers
// MATOML_REGISTER(kWrongVersion): the metalogger asks for an image (MLTOMA_DOWNLOAD_START),
// the master commits, encodes the current state and answers MATOML_DOWNLOAD_START(size,
// version); the metalogger pulls it with MLTOMA_DOWNLOAD_CHUNK (<= 1 MiB each) and releases
// it with MLTOMA_DOWNLOAD_END. Records after the image's version are streamed meanwhile.
//
// Back-pressure: a link over its connection's high water gets no new records; when it
// drains it catches up from the ring. A link whose next record fell out of the ring is sent
// MATOML_REGISTER(kWrongVersion) again (resync with an image). Clients never wait.
// See docs/metalogger.md.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/net/address.h"
#include "common/net/connection.h"
#include "common/net/event_loop.h"
#include "common/net/unique_fd.h"
#include "common/protocol/frame.h"
#include "common/protocol/matoml.h"
#include "common/status.h"
#include "master/meta/metadata.h"
#include "master/server/follower_quorum.h"
#include "master/server/peer_auth.h"
#include "master/server/role.h"

namespace elk::master {

// The last committed records as whole changelog lines, bounded by count and bytes.
class ChangelogRing {
 public:
  // `base`: the version before the first record that will be added.
  ChangelogRing(uint64_t base, size_t max_records, size_t max_bytes);

  // Versions must be contiguous; a jump restarts the ring at `version` - 1.
  void Add(uint64_t version, std::string line);
  // True when every record after `version` (up to last()) is held, so a peer holding
  // `version` can be brought up to date from here.
  bool CanResumeAfter(uint64_t version) const { return version >= base_ && version <= last(); }
  // The line of `version`, or null when it is not held.
  const std::string* Find(uint64_t version) const;
  uint64_t first() const { return base_ + 1; }
  uint64_t last() const { return base_ + lines_.size(); }
  size_t size() const { return lines_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  uint64_t base_;
  size_t max_records_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::deque<std::string> lines_;
};

struct MetaloggerHubOptions {
  std::chrono::milliseconds timeout{60000};    // MATOML_TIMEOUT
  std::chrono::milliseconds hello_timeout{0};  // HELLO_TIMEOUT; 0: none
  size_t ring_records = 100000;
  size_t ring_bytes = size_t{64} << 20;
  size_t high_water = size_t{4} << 20;  // queued bytes above which records wait
  std::string version = "elkfs";
  std::string auth_code;  // AUTH_CODE; empty: none asked
  // After a peer's hello: a follower sends it to the leader instead (ANTOAN_NOT_LEADER).
  NotLeaderFn not_leader;
  // What a follower peer (hello role kMaster) is told of this leader (MATOML_LEADER_INFO),
  // at its registration and every second; empty: nothing is sent.
  std::function<protocol::MatomlLeaderInfo()> leader_info;
  // MASTER_SYNC_FOLLOWERS and MASTER_SYNC_TIMEOUT (FollowerQuorum); `on_quorum` runs when a
  // follower's progress or departure may let held replies go.
  // This leader's term and the version it began to lead at (RoleState): a peer holding
  // records past that version from another term gets an image, not the stream.
  std::function<std::pair<uint64_t, uint64_t>()> term;
  int sync_followers = 0;
  std::chrono::milliseconds sync_timeout{2000};
  std::function<void()> on_quorum;
};

class MetaloggerHub;

class MetaloggerLink {
 public:
  explicit MetaloggerLink(MetaloggerHub& hub);
  ~MetaloggerLink();
  MetaloggerLink(const MetaloggerLink&) = delete;
  MetaloggerLink& operator=(const MetaloggerLink&) = delete;

  Status Start(net::UniqueFd fd, net::Address peer, std::function<void()> on_close,
               std::shared_ptr<void> slot = {});
  void Close();
  void CloseAfterFlush();
  // Sends what the ring holds for this link, up to high water.
  void Pump();

  bool streaming() const { return streaming_; }
  uint64_t next_version() const { return next_; }
  const net::Address& peer() const { return peer_; }
  const std::string& software_version() const { return software_version_; }  // from its hello
  // A follower master rather than a metalogger (its hello said kMaster).
  bool is_follower() const { return peer_role_ == protocol::Role::kMaster; }
  // Tells a registered follower peer where this leader serves and its version.
  void SendLeaderInfo();

 private:
  Status OnFrame(const protocol::FrameView& f);
  Status OnHello(const protocol::FrameView& f);
  // Logs why, tells the peer and closes; nothing it sends after is read.
  Status Refuse(const Status& why);
  Status OnRegister(const protocol::FrameView& f);
  Status OnDownloadStart();
  Status OnDownloadChunk(const protocol::FrameView& f);
  Status OnApplied(const protocol::FrameView& f);
  Status AskForImage();
  template <typename M>
  Status SendMsg(const M& msg);

  MetaloggerHub& hub_;
  std::shared_ptr<net::Connection> conn_;
  std::function<void()> on_close_;
  net::Address peer_;
  bool hello_ = false;
  bool refused_ = false;
  PeerAuth auth_{""};
  bool registered_ = false;
  bool streaming_ = false;
  uint64_t next_ = 0;  // the next version to send
  std::string software_version_;
  protocol::Role peer_role_ = protocol::Role::kUnknown;
  std::shared_ptr<const std::string> image_;
};

class MetaloggerHub {
 public:
  MetaloggerHub(net::EventLoop& loop, Metadata& meta, std::function<uint32_t()> now,
                MetaloggerHubOptions options);
  ~MetaloggerHub();
  MetaloggerHub(const MetaloggerHub&) = delete;
  MetaloggerHub& operator=(const MetaloggerHub&) = delete;

  // `slot`: the connection's place under the port's caps (net::ConnectionLimiter).
  void Accept(net::UniqueFd fd, net::Address peer, std::shared_ptr<void> slot = {});
  // Metadata's record listener: a record was committed.
  void OnRecord(uint64_t version, std::string_view body);
  void CloseAll();
  // Clean stop: sends every link what it has queued and closes it, running the loop until
  // all are gone or `limit` passed (the loop must not be running elsewhere).
  void Drain(std::chrono::milliseconds limit);

  size_t link_count() const { return links_.size(); }
  // Every link, for the monitor.
  template <typename F>
  void ForEachLink(F&& f) const {
    for (const auto& [raw, link] : links_)
      f(*link);
  }
  const ChangelogRing& ring() const { return ring_; }
  uint64_t images_sent() const { return images_sent_; }
  FollowerQuorum& quorum() { return quorum_; }
  const FollowerQuorum& quorum() const { return quorum_; }

 private:
  friend class MetaloggerLink;

  net::EventLoop& loop_;
  Metadata& meta_;
  std::function<uint32_t()> now_;
  MetaloggerHubOptions options_;
  ChangelogRing ring_;
  FollowerQuorum quorum_;
  std::map<MetaloggerLink*, std::unique_ptr<MetaloggerLink>> links_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  uint64_t images_sent_ = 0;
};

}  // namespace elk::master
