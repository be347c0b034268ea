// The recovery promise with the real program: a client sends a long random history of every
// kind of namespace mutation over the wire (creates, links, renames with flags, xattrs,
// goals, trash times, snapshots, appends, punches, trash restore paths, undelete and purge
// through a meta session); another thread SIGKILLs mfsmaster at random moments, mid-request;
// each time it is restarted with -a. The recovered namespace must equal a model that applied
// exactly the acknowledged requests - plus, at most, the one request in flight at the kill, whole
// or not at all. At the end, mfsmetarestore rebuilds the same namespace from the changelogs alone.
//
// The model is a plain Namespace fed the same requests; the master stamps its own clock, so
// times (and trash expiry, which follows from them) are left out of the comparison.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "common/changelog/reader.h"
#include "common/image/image_file.h"
#include "master/meta/restore.h"
#include "master/meta/test_workload.h"
#include "master/server/test_peers.h"
#include "tests/harness/cluster.h"

namespace elk::master {
namespace {

namespace proto = protocol;

// The namespace dump without times: what a master with another clock must agree on.
std::string Timeless(const std::string& dump) {
  static const std::regex times(" a=-?[\\d.]+ mt=-?[\\d.]+ c=\\d+ ");
  static const std::regex trash("^T (\\d+) \\d+ ");
  std::istringstream in(dump);
  std::string out, line;
  while (std::getline(in, line)) {
    if (line.size() < 2 || line[1] != ' ' ||
        std::string("NCRSXDETVO").find(line[0]) == std::string::npos) {
      continue;  // the version header, the chunk registry
    }
    line = std::regex_replace(line, times, " ");
    line = std::regex_replace(line, trash, "T $1 ");
    out += line;
    out += '\n';
  }
  return out;
}

struct Answer {
  Code code;  // what the master answered: kOk, or the error of a refused request
};

// A client that only needs to know whether a request was answered (any status).
class Client : public test::TestClient {
 public:
  // The status the master answered (kOk for a reply proper), or why none came.
  template <typename M>
  Result<Answer> Answered(M m) {
    m.msgid = next_msgid();
    ELK_RETURN_IF_ERROR(Send(m));
    for (int frames = 0; frames < 16; ++frames) {
      auto f = ReceiveFrame(std::chrono::seconds(10));
      if (!f.ok()) return f.status();
      if (f->type == proto::ANTOAN_NOP) continue;
      if (f->type != proto::MATOCL_STATUS) return Answer{Code::kOk};
      auto st = proto::Decode<proto::MatoclStatus>(f->payload);
      if (!st.ok()) return st.status();
      return Answer{st->status};
    }
    return Status(Code::kProtocol, "no reply");
  }
};

Cred ModelCred(const proto::Creds& c) {
  return Cred{c.uid, c.gid, c.groups};
}

proto::Creds WireCreds(const Cred& c) {
  return proto::Creds{c.uid, c.gid, c.groups};
}

uint32_t TrashTime(const Op& op) {  // long enough never to expire during the test
  return op.x % 4 == 0 ? 0 : 3600 + op.x % 50;
}

// One operation: sent to the master (its answer, or the lost connection), or applied to the
// model. Kinds the wire does not carry (open, close, chunk writes, expiry) are skipped.
class Operation {
 public:
  explicit Operation(Op op) : op_(std::move(op)), creds_(WireCreds(op_.cred)) {}

  static bool Carried(OpKind k) {
    return k != OpKind::kOpen && k != OpKind::kClose && k != OpKind::kWrite &&
           k != OpKind::kPurgeExpired;
  }

  Result<Answer> Send(Client& c, Client& meta) const {
    const Op& o = op_;
    switch (o.kind) {
      case OpKind::kCreate:
        return c.Answered(proto::CltomaMknod{0, o.b, o.n1, Type(), 0644, 022, o.y, creds_});
      case OpKind::kMkdir:
        return c.Answered(proto::CltomaMkdir{0, o.b, o.n1, 0777, 022, creds_});
      case OpKind::kSymlink:
        return c.Answered(proto::CltomaSymlink{0, o.b, o.n1, o.n2 + "/x y", creds_});
      case OpKind::kLink:
        return c.Answered(proto::CltomaLink{0, o.a, o.b, o.n1, creds_});
      case OpKind::kSetAttr:
      case OpKind::kTruncate:
        return c.Answered(Setattr());
      case OpKind::kUnlink:
        return c.Answered(proto::CltomaUnlink{0, o.b, o.n1, creds_});
      case OpKind::kRmdir:
        return c.Answered(proto::CltomaRmdir{0, o.b, o.n1, creds_});
      case OpKind::kRename:
        return c.Answered(proto::CltomaRename{0, o.a, o.n1, o.b, o.n2, creds_,
                                              static_cast<proto::RenameMode>(o.x % 3)});
      case OpKind::kSetXattr:
        return c.Answered(proto::CltomaSetxattr{0, o.a, "user." + o.n1, o.n2 + "\t\n%",
                                                proto::XattrMode::kAny, creds_});
      case OpKind::kRemoveXattr:
        return c.Answered(proto::CltomaRemovexattr{0, o.a, "user." + o.n1, creds_});
      case OpKind::kSetGoal:
        return c.Answered(proto::CltomaSetgoal{0, o.a, static_cast<uint8_t>(1 + o.x % 9),
                                               static_cast<proto::SetMode>(o.y % 3), o.y % 2 == 0,
                                               creds_});
      case OpKind::kSetTrashTime:
        return c.Answered(proto::CltomaSettrashtime{
            0, o.a, TrashTime(o), static_cast<proto::SetMode>(o.y % 3), o.y % 2 == 0, creds_});
      case OpKind::kSnapshot:
        return c.Answered(proto::CltomaSnapshot{0, o.a, o.b, o.n1, o.x % 2 == 0, creds_});
      case OpKind::kAppend:
        return c.Answered(proto::CltomaAppendChunks{0, o.a, o.b, creds_});
      case OpKind::kPunch:
        return c.Answered(proto::CltomaPunchChunks{0, o.a, o.x % 3, 1 + o.y % 2, creds_});
      case OpKind::kUndelete:
        return meta.Answered(proto::CltomaUndelete{0, o.a});
      case OpKind::kPurge:
        return meta.Answered(proto::CltomaPurge{0, o.a});
      case OpKind::kSetTrashPath:
        return meta.Answered(proto::CltomaSetTrashPath{0, o.a, TrashPath(o)});
      default:
        return Status(Code::kInval, "not carried");
    }
  }

  void Model(Namespace& ns) const {
    const Op& o = op_;
    const Cred cred = ModelCred(creds_);
    const uint32_t t = o.now;
    switch (o.kind) {
      case OpKind::kCreate:
        (void)ns.Create(cred, o.b, o.n1, o.x % 3 == 0 ? NodeType::kCharDev : NodeType::kFile, 0644,
                        022, o.y, t);
        return;
      case OpKind::kSetAttr:
      case OpKind::kTruncate: {
        const proto::CltomaSetattr w = Setattr();
        SetAttrRequest req;
        req.mode = w.mode;
        req.uid = w.uid;
        req.gid = w.gid;
        if (w.atime) {
          req.atime_how = TimeSet::kValue;
          req.atime = *w.atime;
        }
        req.length = w.length;
        (void)ns.SetAttr(cred, o.a, req, t);
        return;
      }
      case OpKind::kSetTrashTime:
        (void)ns.SetTrashTime(cred, o.a, TrashTime(o), static_cast<SetMode>(o.y % 3), o.y % 2 == 0,
                              t);
        return;
      case OpKind::kAppend: {
        const InodeId src[] = {o.b};
        (void)ns.AppendChunks(cred, o.a, src, t);
        return;
      }
      default: {
        MemoryChunkRefs unused;
        RunModel(ns, unused, o);
        return;
      }
    }
  }

 private:
  proto::NodeType Type() const {
    return op_.x % 3 == 0 ? proto::NodeType::kCharDevice : proto::NodeType::kFile;
  }
  proto::CltomaSetattr Setattr() const {
    const SetAttrRequest r = AttrRequest(op_);
    proto::CltomaSetattr w{};
    w.inode = op_.a;
    w.creds = creds_;
    w.mode = r.mode;
    w.uid = r.uid;
    w.gid = r.gid;
    if (r.atime_how == TimeSet::kValue) w.atime = r.atime;
    w.length = r.length;
    return w;
  }

  Op op_;
  proto::Creds creds_;
};

class MfsmasterCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = elk::test::Cluster::Start({.chunkservers = 0});
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(*cluster);
    // The model starts from the master's own first image (the same root).
    ASSERT_EQ(cluster_->StopMaster(), 0);
    auto img = image::Load(image::ImagePath(cluster_->master_data()));
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    const image::Section* nodes = img->Find("NODE");
    ASSERT_NE(nodes, nullptr);
    ASSERT_TRUE(model_.LoadNodes(nodes->data).ok());
    ASSERT_TRUE(cluster_->StartMaster().ok());
    Connect();
  }

  void Connect() {
    client_ = std::make_unique<Client>();
    meta_ = std::make_unique<Client>();
    ASSERT_TRUE(client_->Hello(cluster_->client_port()).ok());
    ASSERT_TRUE(client_->Register("/").ok());
    ASSERT_TRUE(meta_->Hello(cluster_->client_port()).ok());
    ASSERT_TRUE(meta_->Register(".").ok());
  }

  // The namespace a clean stop leaves in metadata.mfs, without times.
  std::string MasterNamespace() {
    EXPECT_EQ(cluster_->StopMaster(), 0);
    auto text = DumpImage(image::ImagePath(cluster_->master_data()));
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    return text.ok() ? Timeless(*text) : "";
  }

  std::string ModelNamespace(const Namespace& ns) { return Timeless(ns.Dump()); }

  std::unique_ptr<elk::test::Cluster> cluster_;
  MemoryChunkRefs model_refs_;
  Namespace model_{model_refs_, 0};
  std::unique_ptr<Client> client_, meta_;
};

TEST_F(MfsmasterCrashTest, KillsMidRequestLoseNothingAcknowledged) {
  Workload w(77);
  constexpr int kCrashes = 12;
  constexpr int kOpsPerRound = 2500;
  int acknowledged = 0, changed = 0, in_flight_applied = 0, in_flight_lost = 0;
  for (int round = 0; round < kCrashes; ++round) {
    // The killer strikes once the client has sent a random number of requests.
    std::atomic<int> sent{0};
    const int strike = 50 + static_cast<int>(w.Pick(kOpsPerRound - 100));
    const auto delay = std::chrono::microseconds(w.Pick(2000));
    std::thread killer([&] {
      for (int i = 0; i < 60000 && sent.load() < strike; ++i) {  // at most 60 s
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      std::this_thread::sleep_for(delay);
      cluster_->KillMaster();
    });
    std::optional<Operation> unanswered;
    for (int i = 0; i < kOpsPerRound * 4 && !unanswered; ++i) {
      Op op = w.Next(model_);
      if (!Operation::Carried(op.kind)) continue;
      Operation o(op);
      sent.fetch_add(1);
      auto answered = o.Send(*client_, *meta_);
      if (answered.ok()) {
        o.Model(model_);
        ++acknowledged;
        if (answered->code == Code::kOk) ++changed;
      } else {
        unanswered = o;  // the master died with this request in flight
      }
    }
    killer.join();
    ASSERT_TRUE(unanswered.has_value()) << "round " << round << ": the kill was not seen";

    ASSERT_TRUE(cluster_->StartMaster(/*auto_recover=*/true).ok())
        << "round " << round << ", log: " << cluster_->log("master");
    const std::string recovered = MasterNamespace();
    const std::string before = ModelNamespace(model_);
    if (recovered != before) {
      // Then the request in flight must be there, whole.
      unanswered->Model(model_);
      ASSERT_EQ(recovered, ModelNamespace(model_))
          << "round " << round << ": neither without nor with the request in flight";
      ++in_flight_applied;
    } else {
      ++in_flight_lost;  // (or it changed nothing but times)
    }
    ASSERT_TRUE(cluster_->StartMaster().ok()) << "log: " << cluster_->log("master");
    Connect();
  }
  EXPECT_GE(changed, kCrashes * 100);
  std::cout << "acknowledged " << acknowledged << " requests (" << changed
            << " succeeded, the rest answered an error) over " << kCrashes
            << " kills; the request in flight was kept " << in_flight_applied << " times, not "
            << in_flight_lost << " times; " << model_.NodeCount() << " nodes at the end\n";

  // The whole history again, from the changelogs alone, by the real mfsmetarestore.
  const std::string want = MasterNamespace();
  EXPECT_EQ(want, ModelNamespace(model_));
  const std::string out = cluster_->dir() + "/from-logs.mfs";
  std::vector<std::string> argv = {elk::test::Cluster::BinDir() + "/mfsmetarestore", "-o", out};
  for (const std::string& f : changelog::ListFiles(cluster_->master_data(), "changelog")) {
    argv.push_back(f);
  }
  auto restore = elk::test::Process::Spawn(argv, cluster_->dir() + "/metarestore.log");
  ASSERT_TRUE(restore.ok()) << restore.status().ToString();
  ASSERT_EQ(restore->Wait(std::chrono::seconds(60)), 0) << cluster_->dir() << "/metarestore.log";
  auto text = DumpImage(out);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(Timeless(*text), want);
}

}  // namespace
}  // namespace elk::master
