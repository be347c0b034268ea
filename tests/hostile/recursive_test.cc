// Recursive requests against the real master (issue 17, part 2): a 200,000-level directory
// chain, made by a client pipelining MKDIRs, survives a snapshot, an image save and a
// restart; while a recursive setgoal walks 600,000 nodes, another client's GETATTRs
// are answered within a second (the master runs the walk in slices between them); and while
// a snapshot copies 300,000 nodes, another client's GETATTRs and LOOKUPs are too, the copy
// survives an image save and a restart, and a snapshot cut by kill -9 leaves a master that
// restarts (-a) with a valid partial copy.
#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/net/blocking_client.h"
#include "common/protocol/cltoma.h"
#include "common/protocol/codec.h"
#include "common/protocol/hello.h"
#include "common/protocol/matocl.h"
#include "tests/harness/cluster.h"

namespace elk::test {
namespace {

namespace proto = protocol;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// A client session spoken by hand, so requests can be pipelined.
class Session {
 public:
  Status Open(uint16_t port) {
    auto c = net::BlockingClient::Connect(net::Address{net::kLoopbackIp, port}, 3000ms);
    if (!c.ok()) return c.status();
    client_ = std::make_unique<net::BlockingClient>(std::move(*c));
    ELK_RETURN_IF_ERROR(Send(proto::MakeHello(proto::Role::kClient, "recursive-test")));
    if (auto h = Receive<proto::AntoanHello>(); !h.ok()) return h.status();
    ELK_RETURN_IF_ERROR(Send(proto::CltomaRegisterSession{.msgid = 1, .export_path = "/"}));
    return Receive<proto::MatoclRegisterSession>().status();
  }
  template <typename M>
  Status Send(const M& m) {
    auto p = proto::EncodePayload(m);
    if (!p.ok()) return p.status();
    return client_->Send(M::kType, *p, 20000ms);
  }
  template <typename M>
  Result<M> Receive(std::chrono::milliseconds timeout = 20000ms) {
    auto f = client_->Receive(timeout);
    if (!f.ok()) return f.status();
    if (f->type == proto::MATOCL_STATUS && M::kType != proto::MATOCL_STATUS) {
      auto st = proto::Decode<proto::MatoclStatus>(proto::FrameView{f->type, f->payload});
      return Status(st.ok() ? st->status : Code::kProtocol, "MATOCL_STATUS");
    }
    if (f->type != M::kType) return Status(Code::kProtocol, std::string(proto::TypeName(f->type)));
    return proto::Decode<M>(proto::FrameView{f->type, f->payload});
  }
  // Sends `n` requests made by make(i) in one write, then reads their n replies, checking
  // each with check(i, reply). Batches of 1000 keep both sides' buffers small.
  template <typename Reply, typename Make, typename Check>
  Status Pipeline(int n, Make make, Check check) {
    constexpr int kBatch = 1000;
    for (int first = 0; first < n; first += kBatch) {
      const int count = std::min(kBatch, n - first);
      std::vector<uint8_t> bytes;
      for (int i = first; i < first + count; ++i) {
        auto f = proto::EncodeFrame(make(i));
        if (!f.ok()) return f.status();
        bytes.insert(bytes.end(), f->begin(), f->end());
      }
      ELK_RETURN_IF_ERROR(client_->SendRaw(bytes, 20000ms));
      for (int i = first; i < first + count; ++i) {
        auto r = Receive<Reply>();
        if (!r.ok()) return r.status();
        ELK_RETURN_IF_ERROR(check(i, *r));
      }
    }
    return Status::Ok();
  }
  // Is a reply waiting on the socket (nothing is left in the client's buffer between
  // whole replies)?
  bool Readable() const {
    pollfd p{client_->fd(), POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
  }
  Result<proto::Attr> Lookup(uint32_t parent, const std::string& name) {
    ELK_RETURN_IF_ERROR(Send(proto::CltomaLookup{.msgid = 6, .parent = parent, .name = name}));
    auto r = Receive<proto::MatoclLookup>();
    if (!r.ok()) return r.status();
    return r->attr;
  }
  Result<proto::Attr> Getattr(uint32_t inode) {
    ELK_RETURN_IF_ERROR(Send(proto::CltomaGetattr{.msgid = 7, .inode = inode}));
    auto r = Receive<proto::MatoclGetattr>();
    if (!r.ok()) return r.status();
    return r->attr;
  }
  // mfsgetgoal -r: (files, dirs) of the one goal every node has.
  Result<proto::GoalCount> OnlyGoal(uint32_t inode) {
    ELK_RETURN_IF_ERROR(Send(proto::CltomaGetgoal{.msgid = 8, .inode = inode, .recursive = true}));
    auto r = Receive<proto::MatoclGetgoal>(120000ms);
    if (!r.ok()) return r.status();
    if (r->counts.size() != 1) return Status(Code::kMismatch, "several goals");
    return r->counts[0];
  }

 private:
  std::unique_ptr<net::BlockingClient> client_;
};

// mkdir chain; chain/d; chain/d/d; ... `depth` levels, pipelined: a fresh master hands out
// inode numbers in order, so each MKDIR names its parent before the parent's reply came.
Result<uint32_t> MakeChain(Session& s, uint32_t parent, int depth) {
  ELK_RETURN_IF_ERROR(
      s.Send(proto::CltomaMkdir{.msgid = 2, .parent = parent, .name = "chain", .mode = 0755}));
  auto top = s.Receive<proto::MatoclMkdir>();
  if (!top.ok()) return top.status();
  const uint32_t first = top->attr.inode;
  Status st = s.Pipeline<proto::MatoclMkdir>(
      depth,
      [first](int i) {
        return proto::CltomaMkdir{.msgid = static_cast<uint32_t>(10 + i),
                                  .parent = first + static_cast<uint32_t>(i),
                                  .name = "d",
                                  .mode = 0755};
      },
      [first](int i, const proto::MatoclMkdir& r) {
        if (r.attr.inode == first + static_cast<uint32_t>(i) + 1) return Status::Ok();
        return Status(Code::kMismatch, "inode " + std::to_string(r.attr.inode));
      });
  if (!st.ok()) return st;
  return first;
}

TEST(RecursiveTest, A200000LevelChainSurvivesSnapshotImageSaveAndRestart) {
  constexpr int kDepth = 200000;
  auto c = Cluster::Start({.chunkservers = 0});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Session s;
  ASSERT_TRUE(s.Open((*c)->client_port()).ok());
  const auto t0 = Clock::now();
  auto first = MakeChain(s, 1, kDepth);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const uint32_t deepest = *first + kDepth;
  std::printf("[ recursive ] %d pipelined MKDIRs: %.0f ms\n", kDepth, Ms(Clock::now() - t0));

  const auto t1 = Clock::now();
  ASSERT_TRUE(s.Send(proto::CltomaSnapshot{
                         .msgid = 3, .src_inode = *first, .dst_parent = 1, .dst_name = "snap"})
                  .ok());
  auto snap = s.Receive<proto::MatoclStatus>(120000ms);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->status, Code::kOk);
  std::printf("[ recursive ] snapshot of %d levels: %.0f ms (in slices)\n", kDepth + 1,
              Ms(Clock::now() - t1));
  const uint32_t copy_deepest = deepest + kDepth + 1;  // the copy took the next numbers
  auto goals = s.OnlyGoal(*first);
  ASSERT_TRUE(goals.ok()) << goals.status().ToString();
  EXPECT_EQ(goals->dirs, uint32_t{kDepth + 1});

  // SIGTERM saves the image; the restarted master loads it.
  ASSERT_EQ((*c)->StopMaster(), 0);
  const auto t2 = Clock::now();
  ASSERT_TRUE((*c)->StartMaster().ok());
  std::printf("[ recursive ] restart with the image: %.0f ms\n", Ms(Clock::now() - t2));
  Session again;
  ASSERT_TRUE(again.Open((*c)->client_port()).ok());
  for (uint32_t inode : {deepest, copy_deepest}) {
    auto a = again.Getattr(inode);
    ASSERT_TRUE(a.ok()) << inode << ": " << a.status().ToString();
    EXPECT_EQ(a->type, proto::NodeType::kDirectory);
  }
  auto lookup_snap = again.Send(proto::CltomaLookup{.msgid = 9, .parent = 1, .name = "snap"});
  ASSERT_TRUE(lookup_snap.ok());
  auto snap_top = again.Receive<proto::MatoclLookup>();
  ASSERT_TRUE(snap_top.ok());
  auto copy_goals = again.OnlyGoal(snap_top->attr.inode);
  ASSERT_TRUE(copy_goals.ok()) << copy_goals.status().ToString();
  EXPECT_EQ(copy_goals->dirs, uint32_t{kDepth + 1});
}

TEST(RecursiveTest, OtherClientsAreServedWhileASetgoalWalks600000Nodes) {
  constexpr int kDirs = 600;
  constexpr int kFiles = 1000;
  // Without a sync per commit a loop turn costs about one slice, so the walk spans many
  // turns of b's requests (with it, each of b's replies also waits for one fdatasync).
  auto c = Cluster::Start({.chunkservers = 0, .master_cfg = {{"CHANGELOG_SYNC", "0"}}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Session a, b;
  ASSERT_TRUE(a.Open((*c)->client_port()).ok());
  ASSERT_TRUE(b.Open((*c)->client_port()).ok());
  ASSERT_TRUE(
      a.Send(proto::CltomaMkdir{.msgid = 2, .parent = 1, .name = "big", .mode = 0755}).ok());
  auto big = a.Receive<proto::MatoclMkdir>();
  ASSERT_TRUE(big.ok());
  std::vector<uint32_t> dirs(kDirs);
  Status st = a.Pipeline<proto::MatoclMkdir>(
      kDirs,
      [&](int i) {
        return proto::CltomaMkdir{.msgid = static_cast<uint32_t>(10 + i),
                                  .parent = big->attr.inode,
                                  .name = "d" + std::to_string(i),
                                  .mode = 0755};
      },
      [&](int i, const proto::MatoclMkdir& r) {
        dirs[static_cast<size_t>(i)] = r.attr.inode;
        return Status::Ok();
      });
  ASSERT_TRUE(st.ok()) << st.ToString();
  const auto t0 = Clock::now();
  st = a.Pipeline<proto::MatoclMknod>(
      kDirs * kFiles,
      [&](int i) {
        return proto::CltomaMknod{.msgid = static_cast<uint32_t>(1000 + i),
                                  .parent = dirs[static_cast<size_t>(i / kFiles)],
                                  .name = "f" + std::to_string(i % kFiles),
                                  .mode = 0644};
      },
      [](int, const proto::MatoclMknod&) { return Status::Ok(); });
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::printf("[ recursive ] %d files made: %.0f ms\n", kDirs * kFiles, Ms(Clock::now() - t0));
  const uint32_t probe = dirs[0];

  // a: mfssetgoal -r over the whole tree, three times (goal 3, 4, 5); b: GETATTR after
  // GETATTR until a's reply is there. Before slicing, the walk held the loop: b's first
  // GETATTR of a round was answered with or after a's reply, so none or one per round
  // counted. One thread polls both sockets, so thread scheduling cannot blur the order.
  Clock::duration worst{};
  int served = 0;
  for (uint8_t goal = 3; goal <= 5; ++goal) {
    const auto start = Clock::now();
    ASSERT_TRUE(a.Send(proto::CltomaSetgoal{
                           .msgid = 5, .inode = big->attr.inode, .goal = goal, .recursive = true})
                    .ok());
    int round_served = 0;
    while (!a.Readable() && Clock::now() - start < 120s) {
      const auto t = Clock::now();
      auto attr = b.Getattr(probe);
      ASSERT_TRUE(attr.ok()) << attr.status().ToString();
      const auto took = Clock::now() - t;
      if (a.Readable()) break;  // answered with or after the walk's end: proves nothing
      worst = std::max(worst, took);
      ++round_served;
    }
    auto reply = a.Receive<proto::MatoclSetgoal>(120000ms);
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    std::printf(
        "[ recursive ] setgoal -r %d over %d nodes: %.0f ms; meanwhile %d GETATTRs answered\n",
        goal, 1 + kDirs + kDirs * kFiles, Ms(Clock::now() - start), round_served);
    EXPECT_EQ(reply->changed, uint32_t{1 + kDirs + kDirs * kFiles});
    EXPECT_EQ(reply->not_changed, 0u);
    EXPECT_EQ(reply->not_permitted, 0u);
    served += round_served;
  }
  std::printf("[ recursive ] %d GETATTRs answered during the walks, the slowest in %.1f ms\n",
              served, Ms(worst));
  EXPECT_LT(worst, 1s);
  EXPECT_GE(served, 6) << "the walks ran in slices with other clients served between them";
  auto goals = b.OnlyGoal(big->attr.inode);
  ASSERT_TRUE(goals.ok());
  EXPECT_EQ(goals->goal, 5);
  EXPECT_EQ(goals->files, uint32_t{kDirs * kFiles});
}

// big/d<i>/f<j>: `dirs` folders of `files` files, pipelined. Returns big's inode.
Result<uint32_t> MakeWideTree(Session& a, int dirs, int files) {
  ELK_RETURN_IF_ERROR(
      a.Send(proto::CltomaMkdir{.msgid = 2, .parent = 1, .name = "big", .mode = 0755}));
  auto big = a.Receive<proto::MatoclMkdir>();
  if (!big.ok()) return big.status();
  std::vector<uint32_t> ids(static_cast<size_t>(dirs));
  Status st = a.Pipeline<proto::MatoclMkdir>(
      dirs,
      [&](int i) {
        return proto::CltomaMkdir{.msgid = static_cast<uint32_t>(10 + i),
                                  .parent = big->attr.inode,
                                  .name = "d" + std::to_string(i),
                                  .mode = 0755};
      },
      [&](int i, const proto::MatoclMkdir& r) {
        ids[static_cast<size_t>(i)] = r.attr.inode;
        return Status::Ok();
      });
  if (!st.ok()) return st;
  st = a.Pipeline<proto::MatoclMknod>(
      dirs * files,
      [&](int i) {
        return proto::CltomaMknod{.msgid = static_cast<uint32_t>(1000 + i),
                                  .parent = ids[static_cast<size_t>(i / files)],
                                  .name = "f" + std::to_string(i % files),
                                  .mode = 0644};
      },
      [](int, const proto::MatoclMknod&) { return Status::Ok(); });
  if (!st.ok()) return st;
  return big->attr.inode;
}

// Every node of a snapshot of big, counted by mfsgetgoal -r.
void ExpectCopy(Session& s, const std::string& name, int dirs, int files) {
  auto top = s.Lookup(1, name);
  ASSERT_TRUE(top.ok()) << name << ": " << top.status().ToString();
  auto goals = s.OnlyGoal(top->inode);
  ASSERT_TRUE(goals.ok()) << goals.status().ToString();
  EXPECT_EQ(goals->dirs, uint32_t(1 + dirs));
  EXPECT_EQ(goals->files, uint32_t(dirs * files));
}

TEST(RecursiveTest, OtherClientsAreServedWhileASnapshotCopies300000Nodes) {
  // ELKFS_SNAPSHOT_TEST_DIRS: more folders of 1,000 files, to measure (1000: a million).
  const char* env = std::getenv("ELKFS_SNAPSHOT_TEST_DIRS");
  const int kDirs = env != nullptr ? std::atoi(env) : 300;
  constexpr int kFiles = 1000;
  auto c = Cluster::Start({.chunkservers = 0, .master_cfg = {{"CHANGELOG_SYNC", "0"}}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Session a, b;
  ASSERT_TRUE(a.Open((*c)->client_port()).ok());
  ASSERT_TRUE(b.Open((*c)->client_port()).ok());
  auto big = MakeWideTree(a, kDirs, kFiles);
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  const uint32_t probe = *big;

  // a: mfsmakesnapshot big snap; b: GETATTR and LOOKUP, one after the other, until a's reply
  // is there. A snapshot on the loop in one piece answers none of them before its end.
  const auto start = Clock::now();
  ASSERT_TRUE(a.Send(proto::CltomaSnapshot{
                         .msgid = 3, .src_inode = *big, .dst_parent = 1, .dst_name = "snap"})
                  .ok());
  Clock::duration worst{};
  int served = 0;
  bool saw_top = false;
  while (!a.Readable() && Clock::now() - start < 300s) {
    const auto t = Clock::now();
    auto attr = b.Getattr(probe);
    ASSERT_TRUE(attr.ok()) << attr.status().ToString();
    auto top = b.Lookup(1, "snap");  // the copy's top exists from the first slice
    const auto took = Clock::now() - t;
    if (a.Readable()) break;  // answered with or after the snapshot's end: proves nothing
    saw_top = saw_top || top.ok();
    worst = std::max(worst, took);
    ++served;
  }
  auto reply = a.Receive<proto::MatoclStatus>(300000ms);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, Code::kOk);
  const int nodes = 1 + kDirs + kDirs * kFiles;
  std::printf(
      "[ recursive ] snapshot of %d nodes: %.0f ms; meanwhile %d GETATTR+LOOKUP pairs "
      "answered, the slowest in %.1f ms\n",
      nodes, Ms(Clock::now() - start), served, Ms(worst));
  EXPECT_LT(worst, 1s);
  EXPECT_GE(served, 3) << "the copy ran in slices with other clients served between them";
  EXPECT_TRUE(saw_top) << "the copy's top was there while it ran";
  ExpectCopy(b, "snap", kDirs, kFiles);

  // SIGTERM saves the image; the restarted master loads it and has the same copy.
  ASSERT_EQ((*c)->StopMaster(), 0);
  ASSERT_TRUE((*c)->StartMaster().ok());
  Session again;
  ASSERT_TRUE(again.Open((*c)->client_port()).ok());
  ExpectCopy(again, "snap", kDirs, kFiles);

  // A second snapshot cut by kill -9 once its copy has begun: the master restarts from the
  // image and the changelog (-a) with a partial copy that is a whole tree.
  ASSERT_TRUE(again
                  .Send(proto::CltomaSnapshot{
                      .msgid = 4, .src_inode = *big, .dst_parent = 1, .dst_name = "cut"})
                  .ok());
  Session watcher;
  ASSERT_TRUE(watcher.Open((*c)->client_port()).ok());
  for (int i = 0; i < 2000 && !watcher.Lookup(1, "cut").ok(); ++i)
    std::this_thread::sleep_for(1ms);
  (*c)->KillMaster();
  ASSERT_TRUE((*c)->StartMaster(/*auto_recover=*/true).ok());
  Session after;
  ASSERT_TRUE(after.Open((*c)->client_port()).ok());
  ExpectCopy(after, "snap", kDirs, kFiles);
  auto cut = after.Lookup(1, "cut");
  ASSERT_TRUE(cut.ok()) << "the cut copy's top was logged before the kill";
  auto cut_goals = after.OnlyGoal(cut->inode);
  ASSERT_TRUE(cut_goals.ok()) << cut_goals.status().ToString();
  std::printf("[ recursive ] a snapshot cut by kill -9 left %u folders and %u files\n",
              cut_goals->dirs, cut_goals->files);
  EXPECT_LE(cut_goals->files, uint32_t(kDirs * kFiles));
}

}  // namespace
}  // namespace elk::test
