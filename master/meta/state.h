#pragma once
// Inside elkmeta: the state behind Metadata, the record argument reader, and the replay
// tables of the operation files. Not for use outside master/meta/.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/changelog/record.h"
#include "common/changelog/writer.h"
#include "common/status.h"
#include "master/chunks/registry.h"
#include "master/meta/metadata.h"
#include "master/namespace/namespace.h"

namespace elk::master::meta_internal {

// The namespace's reference counts go to the chunk registry, with the file's goal.
class RegistryRefs final : public ChunkRefCounter {
 public:
  explicit RegistryRefs(ChunkRegistry& registry) : registry_(registry) {}
  void Ref(ChunkId chunk, uint8_t goal) override;
  uint32_t Unref(ChunkId chunk, uint8_t goal) override;
  void ChangeGoal(ChunkId chunk, uint8_t old_goal, uint8_t new_goal) override;

 private:
  ChunkRegistry& registry_;
};

struct MetaState {
  MetadataOptions options;
  ChunkRegistry registry;
  RegistryRefs refs{registry};
  std::unique_ptr<Namespace> ns;
  std::unique_ptr<changelog::Writer> writer;  // null when offline (tools)
  uint64_t version = 0;
  // Metadata::set_record_listener: records appended since the last Commit, announced after it.
  Metadata::RecordListener record_listener;
  Metadata::FailureListener failure_listener;
  bool failure_heard = false;
  std::vector<changelog::Record> unannounced;

  // Counts the next version and appends the record (buffered until Commit). `sync = false` for
  // records no reply depends on surviving a power loss (open and close counts): they are
  // written before the reply, so a killed master keeps them, but cost no fdatasync.
  Status Log(std::string body, bool sync = true);
};

inline constexpr uint64_t kNoResult = UINT64_MAX;

// Typed, bounds-checked reading of a record's arguments; the first failure sticks.
class Args {
 public:
  explicit Args(changelog::BodyReader& reader) : r_(reader) {}
  template <typename T>
  T Num() {
    auto v = r_.Num();
    if (!v.ok() || *v > static_cast<uint64_t>(T(~T{0}))) return Fail(T{});
    return static_cast<T>(*v);
  }
  FileTime Time();
  std::string Str();
  Cred ReadCred();                           // uid, gid, "g1:g2"
  std::vector<uint32_t> List();              // "a:b:c"
  Status Finish(std::string_view op);        // every argument read, none bad
  bool AtEnd() const { return r_.AtEnd(); }  // for an argument newer records add at the end

 private:
  template <typename T>
  T Fail(T v) {
    ok_ = false;
    return v;
  }
  changelog::BodyReader& r_;
  bool ok_ = true;
};

void PutCred(changelog::BodyWriter& w, const Cred& cred);
std::string JoinList(const std::vector<uint32_t>& ids);

// Replays one operation: parses its arguments, runs the same Do function as the live call,
// returns the result to compare with the logged one (kNoResult when it has none).
using ReplayFn = Result<uint64_t> (*)(MetaState& st, Args& args, uint32_t ts);
ReplayFn FindNamespaceReplay(std::string_view op);
ReplayFn FindChunkReplay(std::string_view op);
ReplayFn FindTreeReplay(std::string_view op);      // tree_ops.cc
ReplayFn FindSnapshotReplay(std::string_view op);  // snapshot_ops.cc
ReplayFn FindRepairReplay(std::string_view op);    // repair_ops.cc

// Replaces the namespace and the chunk registry (the same registry object) with the image's
// (Metadata::FromImage, Metadata::ResetToImage). On failure the state is unusable.
Status LoadImageState(const image::Image& image, MetaState& st);

// The chunk registry's image section (chunk_store.cc).
std::string SerializeChunks(const ChunkRegistry& registry);
Status LoadChunks(std::string_view data, ChunkRegistry* registry);
// Every chunk's metadata as text (id version refs-per-goal), for tests and mfsmetadump.
std::string DumpChunks(const ChunkRegistry& registry);

}  // namespace elk::master::meta_internal

namespace elk::master {
struct Metadata::State : meta_internal::MetaState {};
}  // namespace elk::master
