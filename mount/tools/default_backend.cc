#include "mount/tools/default_backend.h"

#include <algorithm>

#include "common/file_limits.h"
#include "common/protocol/cltoma.h"
#include "common/protocol/matocl.h"
#include "mount/client/copy_checksums.h"
#include "mount/client/master_session.h"
#include "mount/tools/dir_walk.h"

namespace elk::tools {

namespace {

namespace proto = protocol;

proto::SetMode ToWire(SetMode m) {
  switch (m) {
    case SetMode::kIncrease:
      return proto::SetMode::kIncrease;
    case SetMode::kDecrease:
      return proto::SetMode::kDecrease;
    default:
      return proto::SetMode::kSet;
  }
}

proto::Creds ToCreds(const Credentials& c) {
  return proto::Creds{c.uid, c.gid, c.groups};
}

// ToolBackend over a master session that joins the mount's session (libelkclient).
class MasterBackend : public ToolBackend {
 public:
  explicit MasterBackend(std::unique_ptr<client::MasterSession> s) : s_(std::move(s)) {}

  Result<uint8_t> GetGoal(uint32_t inode) override {
    auto r = s_->Call<proto::MatoclGetgoal>(proto::CltomaGetgoal{0, inode, false, {}});
    if (!r.ok()) return r.status();
    if (r->counts.empty()) return Status(Code::kProtocol, "empty goal answer");
    return r->counts.front().goal;
  }
  Result<ValueStats> GetGoalRecursive(uint32_t inode) override {
    auto r = s_->Call<proto::MatoclGetgoal>(proto::CltomaGetgoal{0, inode, true, {}});
    if (!r.ok()) return r.status();
    ValueStats out;
    for (const auto& c : r->counts) {
      if (c.files) out.files.push_back({c.goal, c.files});
      if (c.dirs) out.dirs.push_back({c.goal, c.dirs});
    }
    Sort(out);
    return out;
  }
  Result<SetCounts> SetGoal(uint32_t inode, uint32_t uid, uint8_t goal, SetMode mode,
                            bool recursive) override {
    auto r = s_->Call<proto::MatoclSetgoal>(
        proto::CltomaSetgoal{0, inode, goal, ToWire(mode), recursive, {uid, 0, {}}}, false);
    if (!r.ok()) return r.status();
    return SetCounts{r->changed, r->not_changed, r->not_permitted};
  }

  Result<uint32_t> GetTrashTime(uint32_t inode) override {
    auto r = s_->Call<proto::MatoclGettrashtime>(proto::CltomaGettrashtime{0, inode, false, {}});
    if (!r.ok()) return r.status();
    if (r->counts.empty()) return Status(Code::kProtocol, "empty trash time answer");
    return r->counts.front().trashtime;
  }
  Result<ValueStats> GetTrashTimeRecursive(uint32_t inode) override {
    auto r = s_->Call<proto::MatoclGettrashtime>(proto::CltomaGettrashtime{0, inode, true, {}});
    if (!r.ok()) return r.status();
    ValueStats out;
    for (const auto& c : r->counts) {
      if (c.files) out.files.push_back({c.trashtime, c.files});
      if (c.dirs) out.dirs.push_back({c.trashtime, c.dirs});
    }
    Sort(out);
    return out;
  }
  Result<SetCounts> SetTrashTime(uint32_t inode, uint32_t uid, uint32_t seconds, SetMode mode,
                                 bool recursive) override {
    auto r = s_->Call<proto::MatoclSettrashtime>(
        proto::CltomaSettrashtime{0, inode, seconds, ToWire(mode), recursive, {uid, 0, {}}}, false);
    if (!r.ok()) return r.status();
    return SetCounts{r->changed, r->not_changed, r->not_permitted};
  }

  Result<ChunkPage> FileChunks(uint32_t inode, uint32_t from) override {
    auto r = s_->Call<proto::MatoclChunkList>(proto::CltomaChunkList{0, inode, from});
    if (!r.ok()) return r.status();
    ChunkPage page;
    page.file_length = r->file_length;
    if (r->next_index != proto::kChunkListEnd) page.next = r->next_index;
    for (const auto& e : r->chunks) {
      IndexedChunk ic{e.index, {e.chunkid, e.version, {}}};
      for (const auto& c : e.copies) {
        CopyState st =
            c.valid ? CopyState::kValid
                    : (c.version != e.version ? CopyState::kWrongVersion : CopyState::kInvalid);
        ic.chunk.copies.push_back({c.server.ip, c.server.port, st});
      }
      page.chunks.push_back(std::move(ic));
    }
    return page;
  }
  // The master sums the tree (one request, a sliced tree job there). A master that
  // predates the request drops the connection at its unknown type (the session reconnects
  // for the next call): then the tool walks the tree itself.
  Result<DirStats> DirInfo(uint32_t inode) override {
    // Not idempotent: a dropped connection must come back as an error, not a resend.
    auto r = s_->Call<proto::MatoclGetdirstats>(proto::CltomaGetdirstats{0, inode}, false);
    if (r.ok()) {
      return DirStats{r->inodes, r->dirs, r->files, r->chunks, r->length, r->size, r->realsize};
    }
    if (!MayBeOldMaster(r.status())) return r.status();
    return WalkHere(inode);
  }

  Result<std::vector<std::string>> Paths(uint32_t inode) override {
    auto r = s_->Call<proto::MatoclPaths>(proto::CltomaPaths{0, inode});
    if (!r.ok()) return r.status();
    return std::move(r->paths);
  }

  Result<RepairCounts> RepairFile(uint32_t inode, const Credentials& creds) override {
    // Not idempotent either: a resent repair would count the repaired chunks as unchanged.
    auto r = s_->Call<proto::MatoclRepair>(proto::CltomaRepair{0, inode, ToCreds(creds)}, false);
    if (!r.ok()) return r.status();
    return RepairCounts{r->not_changed, r->erased, r->repaired};
  }

  Result<std::vector<uint32_t>> CopyChecksums(const ChunkCopy& copy, uint64_t chunk_id,
                                              uint32_t version) override {
    return client::ReadCopyChecksums(proto::ServerAddr{copy.ip, copy.port}, chunk_id, version,
                                     std::chrono::milliseconds(5000));
  }

  Status MakeSnapshot(uint32_t src_inode, uint32_t dst_parent_inode, const std::string& dst_name,
                      const Credentials& creds, const SnapshotOptions& options) override {
    return s_->Do(proto::CltomaSnapshot{0, src_inode, dst_parent_inode, dst_name, options.overwrite,
                                        ToCreds(creds)},
                  false);
  }
  Status AppendChunks(uint32_t dst_inode, uint32_t src_inode, const Credentials& creds) override {
    return s_->Do(proto::CltomaAppendChunks{0, dst_inode, src_inode, ToCreds(creds)}, false);
  }

 private:
  static void Sort(ValueStats& v) {
    auto by_value = [](const ValueCount& a, const ValueCount& b) { return a.value < b.value; };
    std::sort(v.files.begin(), v.files.end(), by_value);
    std::sort(v.dirs.begin(), v.dirs.end(), by_value);
  }
  static bool MayBeOldMaster(const Status& s) {
    return s.code() == Code::kDisconnected || s.code() == Code::kProtocol ||
           s.code() == Code::kNotSupported;
  }
  Result<DirStats> WalkHere(uint32_t inode) {
    auto top = s_->Getattr(inode, {});
    if (!top.ok()) return top.status();
    return WalkDirStats(*top, [this](uint32_t dir) -> Result<std::vector<proto::Attr>> {
      auto list = s_->Readdir(dir, {});
      if (!list.ok()) return list.status();
      std::vector<proto::Attr> children;
      children.reserve(list->size());
      for (const auto& e : *list) {
        if (e.name != "." && e.name != "..") children.push_back(e.attr);
      }
      return children;
    });
  }

  std::unique_ptr<client::MasterSession> s_;
};

}  // namespace

BackendFactory DefaultBackendFactory() {
  return [](const MasterInfo& info) -> Result<std::unique_ptr<ToolBackend>> {
    client::SessionOptions o;
    o.host = info.host;
    o.port = info.port;
    o.export_path = info.folder;
    o.session_id = info.session_id;  // join the mount's session: its export rights
    o.role = protocol::Role::kTool;
    o.reconnect_wait = std::chrono::milliseconds(10000);
    auto s = client::MasterSession::Open(o);
    if (!s.ok()) return s.status();
    return std::unique_ptr<ToolBackend>(std::make_unique<MasterBackend>(std::move(*s)));
  };
}

}  // namespace elk::tools
