#pragma once
// The master's metadata: the namespace and the chunk registry, made durable.
//
// Every mutation is one public function here. It runs the operation on the in-memory state
// and, when the operation succeeded, appends one changelog record carrying every input
// (credentials, time, names, allocated ids as the record's result). Replay() parses such a
// record and calls the SAME private Do*() function with the logged inputs, so a replayed
// history rebuilds exactly the state the live master had: live and replay cannot drift.
//
// The server calls Commit() once per event-loop turn, before sending that turn's replies,
// so a reply is only ever sent for a mutation that is on disk (see docs/changelog.md).
//
// Reads (Lookup, GetAttr, Readdir, ...) go straight to namespace() and are not logged.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/changelog/record.h"
#include "common/changelog/writer.h"
#include "common/image/image_file.h"
#include "common/status.h"
#include "master/chunks/registry.h"
#include "master/namespace/namespace.h"
#include "master/namespace/types.h"

namespace elk::master {

struct MetadataOptions {
  std::string data_path;        // DATA_PATH: metadata.mfs, changelog.*.mfs live here
  uint32_t back_logs = 50;      // BACK_LOGS
  uint32_t back_meta_keep = 1;  // BACK_META_KEEP_PREVIOUS
  changelog::SyncPolicy sync = changelog::SyncPolicy::kAlways;
  bool auto_recover = false;         // mfsmaster -a: replay changelogs after a crash
  changelog::FileOps changelog_ops;  // tests: injected write/fdatasync failures
};

class Metadata {
 public:
  // Loads metadata.mfs (or creates an empty file system if DATA_PATH has no image and no
  // changelog - a fresh install), replays newer changelog records, and opens the changelog
  // for appending. Refuses (kCorruption, with the file named) a damaged image or changelog.
  static Result<std::unique_ptr<Metadata>> Open(const MetadataOptions& options, uint32_t now);
  // Offline (tools, tests): the state of `image`, or a fresh file system (root made at time
  // 0, to be reset by the history's INIT record) when image is null. No changelog is written.
  static Result<std::unique_ptr<Metadata>> FromImage(const image::Image* image);
  // Clean stop: commits, saves metadata.mfs and removes the "running" marker, so the next
  // start needs no -a. Dropping a Metadata without Stop() is what a crash looks like.
  Status Stop(uint32_t now);
  ~Metadata();

  Namespace& ns();
  const Namespace& ns() const;
  // Chunkserver-facing state (copies, servers) changes through the registry directly: it is
  // rebuilt from chunkserver registrations, not logged. Chunk ids, versions and references
  // change only through the logged functions below.
  ChunkRegistry& chunks();
  const ChunkRegistry& chunks() const;
  uint64_t version() const;  // metadata version of the last applied mutation

  // ---- namespace mutations (each logs one record on success) ----
  Result<Attr> Create(const Cred& cred, InodeId parent, std::string_view name, NodeType type,
                      uint16_t mode, uint16_t umask, uint32_t rdev, uint32_t now);
  Result<Attr> Mkdir(const Cred& cred, InodeId parent, std::string_view name, uint16_t mode,
                     uint16_t umask, uint32_t now);
  Result<Attr> Symlink(const Cred& cred, InodeId parent, std::string_view name,
                       std::string_view target, uint32_t now);
  Result<Attr> Link(const Cred& cred, InodeId inode, InodeId parent, std::string_view name,
                    uint32_t now);
  Result<SetAttrResult> SetAttr(const Cred& cred, InodeId inode, const SetAttrRequest& req,
                                uint32_t now);
  Status Unlink(const Cred& cred, InodeId parent, std::string_view name, uint32_t now);
  Status Rmdir(const Cred& cred, InodeId parent, std::string_view name, uint32_t now);
  Status Rename(const Cred& cred, InodeId src_parent, std::string_view src_name, InodeId dst_parent,
                std::string_view dst_name, RenameFlags flags, uint32_t now);
  Status SetXattr(const Cred& cred, InodeId inode, std::string_view name, std::string_view value,
                  XattrFlags flags, uint32_t now);
  Status RemoveXattr(const Cred& cred, InodeId inode, std::string_view name, uint32_t now);
  Result<RecursiveSetCounts> SetGoal(const Cred& cred, InodeId inode, uint8_t goal, SetMode mode,
                                     bool recursive, uint32_t now);
  Result<RecursiveSetCounts> SetTrashTime(const Cred& cred, InodeId inode, uint32_t trashtime,
                                          SetMode mode, bool recursive, uint32_t now);
  // One slice of a recursive mfssetgoal / mfssettrashtime: applies to exactly these nodes
  // (the server gathers them with Namespace::WalkSome) and logs SETGOALS / SETTRASHTIMES
  // records naming the nodes that changed. No record when nothing changed.
  Result<RecursiveSetCounts> SetGoalOf(const Cred& cred, std::span<const InodeId> ids, uint8_t goal,
                                       SetMode mode, uint32_t now);
  Result<RecursiveSetCounts> SetTrashTimeOf(const Cred& cred, std::span<const InodeId> ids,
                                            uint32_t trashtime, SetMode mode, uint32_t now);
  // A whole snapshot at once (tests, tools): StartSnapshot and SnapshotSome to the end.
  Result<Attr> MakeSnapshot(const Cred& cred, InodeId src, InodeId dst_parent,
                            std::string_view dst_name, bool overwrite, uint32_t now);
  // A snapshot a slice at a time (the server's tree job, snapshot_ops.cc). StartSnapshot
  // checks the request and changes nothing; each SnapshotSome runs one slice of about
  // `budget` nodes (Namespace::SnapshotSome) and logs SNAPNODES records naming every node
  // it made, so replay makes exactly those. walk.done() when the snapshot is complete.
  Result<SnapshotWalk> StartSnapshot(const Cred& cred, InodeId src, InodeId dst_parent,
                                     std::string_view dst_name, bool overwrite) const;
  Status SnapshotSome(SnapshotWalk& walk, size_t budget, uint32_t now);
  Status AppendChunks(const Cred& cred, InodeId dst, std::span<const InodeId> srcs, uint32_t now);
  Status PunchChunks(const Cred& cred, InodeId inode, uint32_t first, uint32_t count, uint32_t now);
  // mfsfilerepair (repair_ops.cc): each chunk of the file with no valid copy goes back to the
  // newest older version a chunkserver holds (repaired), or becomes a hole (erased). Logged
  // as one REPAIR record per chunk changed.
  struct RepairCounts {
    uint32_t not_changed = 0;
    uint32_t erased = 0;
    uint32_t repaired = 0;
  };
  Result<RepairCounts> RepairFile(const Cred& cred, InodeId inode, uint32_t now);
  Status Undelete(InodeId inode, uint32_t now);
  Status PurgeTrashItem(InodeId inode, uint32_t now);
  // Where undelete puts a trash item (the meta mount's write to it): logs SETPATH.
  Status SetTrashPath(InodeId inode, std::string_view path, uint32_t now);
  // Background: frees at most max_items expired trash items (logged as one record each).
  size_t PurgeExpired(uint32_t now, size_t max_items);
  // Open/close by session (reserved files, and what the session may do with the file's
  // chunks: `mode` is kOpenedRead | kOpenedWrite): logged, so both survive a restart.
  void Open(InodeId inode, uint32_t session, uint8_t mode, uint32_t now);
  void Close(InodeId inode, uint32_t session, uint32_t now);
  // A resumed session's own account of its opens trims the master's
  // (Namespace::TrimmedOpens); the opens that changed are logged as OPENS records.
  void TrimOpens(uint32_t session, std::span<const SessionOpen> claimed, uint32_t now);

  // ---- chunks of files (logged: CHUNKADD, INCVERSION, DUPLICATE, LENGTH, ...) ----
  // The client will write chunk `index` of `inode`: a hole gets a new chunk placed on `goal`
  // servers; a chunk shared with a snapshot is copied on write (new id, the file's reference
  // moves); otherwise the version is bumped. The server then sends the chunkservers the
  // create / duplicate / set-version commands and answers the client with the chain.
  struct ChunkWrite {
    ChunkId chunk = 0;
    uint32_t version = 0;
    bool created = false;  // a new chunk: chain servers must create it (NewChunk semantics)
    WritePlan plan;        // when !created: chain, duplicated_from, old_version
    std::vector<Location> servers;  // when created: where to create it
  };
  Result<ChunkWrite> PrepareChunkWrite(const Cred& cred, InodeId inode, uint32_t index,
                                       uint32_t session, uint32_t now);
  // A chunk PrepareChunkWrite created that no chunkserver could make (every disk full, say):
  // the file lets go of it, logged as a punch, so the index is a hole again - reads give
  // zeros and the next write creates a chunk anew - instead of a chunk with no copy (lost).
  // Nothing happens when the file has another chunk there by now.
  Status ForgetUnmadeChunk(InodeId inode, uint32_t index, ChunkId chunk, uint32_t now);
  // The client finished writing: unlock, and grow the file to `length` if it is longer and
  // ends inside `chunk` of this file (a grant grows only its own file, within its chunk).
  Status ChunkWriteEnd(InodeId inode, ChunkId chunk, uint64_t length, uint32_t session,
                       uint32_t now);
  // Where to read chunk `index` of `inode`; a hole answers chunk 0 and no copies.
  struct ChunkRead {
    ChunkId chunk = 0;
    uint64_t file_length = 0;
    ReadPlan plan;
  };
  Result<ChunkRead> ChunkForRead(InodeId inode, uint32_t index) const;

  // ---- durability ----
  // Writes the buffered records to the changelog (and syncs by policy). A failure is final
  // (changelog::Writer::Commit): every later Commit fails with it, and the failure listener
  // hears it once, whoever committed.
  Status Commit();
  using FailureListener = std::function<void(const Status&)>;
  void set_failure_listener(FailureListener listener);
  // Called once per record, in version order, after the Commit() that wrote it succeeded
  // (the master streams committed records to metaloggers). Empty: none. Not for replay.
  using RecordListener = std::function<void(uint64_t version, std::string_view body)>;
  void set_record_listener(RecordListener listener);
  // Saves metadata.mfs at the current version and rotates the changelog.
  Status SaveImage(uint32_t now);
  // The first half of SaveImage, for a save that writes in the background: commits, takes
  // the image of the current state and rotates the changelog, so the records after it go
  // to the new changelog.0.mfs. The caller writes the image (image::Save) when it likes;
  // until it has, the previous image and the kept changelogs still cover every version.
  Result<image::Image> PrepareImage(uint32_t now);

  // ---- following a leader (docs/failover.md, "Followers") ----
  // A record of the leader's changelog: replayed (Replay) and appended, with its own
  // version, to this master's changelog; the record listener hears it after Commit().
  // An error leaves the state unusable (a replay that diverged): resync from an image.
  Status ApplyFollowed(const changelog::Record& record);
  // Replaces the whole state with the leader's image and starts this master's files afresh
  // from it: the changelog rotates (records newer than the image, which the leader never
  // had, are set aside as discarded_<time>.changelog.N.mfs), metadata.mfs is the image.
  // The registry stays the same object; its chunkservers are forgotten. A failure to write
  // the files is final, as a failed commit (the failure listener hears it).
  Status ResetToImage(const image::Image& img);

  // ---- recovery and tools ----
  // Applies one changelog record (mfsmetarestore, metalogger catch-up, start-up replay).
  Status Replay(const changelog::Record& record);
  // The image of the current state (for SaveImage, mfsmetarestore, metalogger download).
  Result<image::Image> MakeImage(uint32_t now) const;
  // The chunk ids, versions and references per goal as text (tests, mfsmetadump).
  std::string DumpChunks() const;
  // <dir>/metadata.running: present while a master runs on dir (see docs/durability.md).
  static std::string RunningMarkerPath(const std::string& dir);

 private:
  Status RestartFilesAt(const image::Image& img, bool set_aside);
  struct State;
  explicit Metadata(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace elk::master
