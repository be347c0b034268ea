#pragma once
// The master's namespace: every node's metadata, in memory.
//
// The same calls serve client requests and changelog replay, so each mutation is one
// function that takes every input explicitly - the caller's credentials, the time
// `now` - and allocates inode numbers itself by a rule that depends only on the
// current state (lowest free number). Replaying the same calls in the same order
// therefore rebuilds the same state, which Dump() makes comparable as text.
//
// Chunk reference counts are kept by a ChunkRefCounter that the namespace calls when
// files share, drop or replace chunks.

#include <functional>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "master/namespace/chunk_refs.h"
#include "master/namespace/directory.h"
#include "master/namespace/node.h"
#include "master/namespace/snapshot_walk.h"
#include "master/namespace/types.h"

namespace elk::master {

class Namespace {
 public:
  // Creates the root (inode 1, mode 0755, owned by root, goal 2, trash time 86400).
  explicit Namespace(ChunkRefCounter& refs, uint32_t now = 0);
  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

  // ---- reading (tree.cc) ----
  Result<Attr> Lookup(const Cred& cred, InodeId parent, std::string_view name) const;
  Result<Attr> GetAttr(InodeId inode) const;
  Result<std::string> Readlink(InodeId inode) const;
  // Up to max entries starting at cookie (0: from the start), "." and ".." first.
  Result<std::vector<DirEntry>> Readdir(const Cred& cred, InodeId dir, uint64_t cookie,
                                        size_t max) const;
  Status Access(const Cred& cred, InodeId inode, uint8_t mask) const;
  // Kept as the namespace changes (stats.cc): no walk.
  StatFs Stats() const;
  // The same totals counted by a walk of every node: what tests compare Stats() with.
  StatFs WalkStats() const;

  // ---- creating (tree.cc) ----
  // Any non-directory type. The owner is cred.uid; the group cred.gid, or the parent's
  // group when the parent is setgid. rdev matters for devices only.
  Result<Attr> Create(const Cred& cred, InodeId parent, std::string_view name, NodeType type,
                      uint16_t mode, uint16_t umask, uint32_t rdev, uint32_t now);
  Result<Attr> Mkdir(const Cred& cred, InodeId parent, std::string_view name, uint16_t mode,
                     uint16_t umask, uint32_t now);
  Result<Attr> Symlink(const Cred& cred, InodeId parent, std::string_view name,
                       std::string_view target, uint32_t now);
  Result<Attr> Link(const Cred& cred, InodeId inode, InodeId parent, std::string_view name,
                    uint32_t now);

  // ---- changing (setattr.cc, remove.cc, rename.cc) ----
  // SetAttr's checks alone, changing nothing (a shrink checks before its chunk is cut).
  Status CheckSetAttr(const Cred& cred, InodeId inode, const SetAttrRequest& req) const;
  Result<SetAttrResult> SetAttr(const Cred& cred, InodeId inode, const SetAttrRequest& req,
                                uint32_t now);
  Status Unlink(const Cred& cred, InodeId parent, std::string_view name, uint32_t now);
  Status Rmdir(const Cred& cred, InodeId parent, std::string_view name, uint32_t now);
  Status Rename(const Cred& cred, InodeId src_parent, std::string_view src_name, InodeId dst_parent,
                std::string_view dst_name, RenameFlags flags, uint32_t now);

  // ---- extended attributes (xattr.cc) ----
  Result<std::string> GetXattr(const Cred& cred, InodeId inode, std::string_view name) const;
  Status SetXattr(const Cred& cred, InodeId inode, std::string_view name, std::string_view value,
                  XattrFlags flags, uint32_t now);
  Result<std::vector<std::string>> ListXattr(const Cred& cred, InodeId inode) const;
  Status RemoveXattr(const Cred& cred, InodeId inode, std::string_view name, uint32_t now);

  // ---- goal, trash time, dirinfo (goal.cc) ----
  Result<uint8_t> GetGoal(InodeId inode) const;
  Result<uint32_t> GetTrashTime(InodeId inode) const;
  // On one node, or with recursive on the whole tree under it. Only the owner or root
  // may change a node; others count as not_permitted.
  Result<RecursiveSetCounts> SetGoal(const Cred& cred, InodeId inode, uint8_t goal, SetMode mode,
                                     bool recursive, uint32_t now);
  Result<RecursiveSetCounts> SetTrashTime(const Cred& cred, InodeId inode, uint32_t trashtime,
                                          SetMode mode, bool recursive, uint32_t now);
  Result<ValueSummary> GetGoalRecursive(InodeId inode) const;
  Result<ValueSummary> GetTrashTimeRecursive(InodeId inode) const;
  Result<DirInfo> GetDirInfo(InodeId inode) const;

  // ---- the same, a slice at a time (tree_walk.cc) ----
  // Visits at most `budget` nodes of `walk` and appends their ids to *visited (a directory
  // when it is visited: its children are pushed then). An id that no longer names a node
  // in the tree - freed, or gone to trash or reserved - is skipped (the top excepted).
  // Between slices the walk sees the tree as it is then: a node moved out after its
  // parent was visited is still visited, one moved in under a visited directory is not.
  // Returns the work done: nodes visited and directory entries read (at least budget
  // unless the walk ended).
  size_t WalkSome(TreeWalk& walk, size_t budget, std::vector<InodeId>* visited) const;
  void AddGoals(std::span<const InodeId> ids, ValueSummary* summary) const;
  void AddTrashTimes(std::span<const InodeId> ids, ValueSummary* summary) const;
  void AddDirInfo(std::span<const InodeId> ids, DirInfo* info) const;
  // SetGoal / SetTrashTime on exactly these nodes (missing ones are skipped uncounted): the
  // owner or root changes a node, others count as not_permitted. *changed (if not null)
  // gets the ids that changed, in order. What a slice of a recursive request applies, and
  // what its changelog record replays.
  Result<RecursiveSetCounts> SetGoalOf(const Cred& cred, std::span<const InodeId> ids, uint8_t goal,
                                       SetMode mode, uint32_t now, std::vector<InodeId>* changed);
  RecursiveSetCounts SetTrashTimeOf(const Cred& cred, std::span<const InodeId> ids,
                                    uint32_t trashtime, SetMode mode, uint32_t now,
                                    std::vector<InodeId>* changed);

  // ---- trash, reserved, open files (trash.cc) ----
  // Counts an open of inode by a session (kNoEnt if there is no such node). `mode`
  // (kOpenedRead | kOpenedWrite) is what the open was granted; a session keeps every mode
  // any of its opens of the inode had until its last close of it (chunk reads and writes
  // are checked against it).
  Status Open(InodeId inode, uint32_t session, uint8_t mode = kOpenedRead);
  // Returns chunk ids that lost their last reference (a reserved file freed at `now`).
  std::vector<ChunkId> Close(InodeId inode, uint32_t session, uint32_t now);
  bool IsOpen(InodeId inode) const;
  // Every open file, for the monitor: up to `max` of them, in (inode, session) order.
  struct OpenedBy {
    InodeId inode = 0;
    uint32_t session = 0;
    uint32_t count = 0;  // descriptors
    uint8_t mode = 0;    // kOpenedRead | kOpenedWrite
  };
  std::vector<OpenedBy> Opens(size_t max) const;
  size_t open_count() const { return opens_.size(); }
  // The modes (kOpenedRead, kOpenedWrite) the session holds inode open with; 0: not open.
  uint8_t OpenModeOf(InodeId inode, uint32_t session) const;
  // A resumed session's own account of its opens (docs/client.md, "Open files across
  // reconnects"): what the session's opens become when each count is min(held, claimed)
  // and each mode held & claimed, files the account lacks being closed (count 0). Only the
  // opens that change are returned. It only ever takes away, never grants: an open is
  // granted by Open, after its access check.
  std::vector<SessionOpen> TrimmedOpens(uint32_t session,
                                        std::span<const SessionOpen> claimed) const;
  // Sets the session's opens of the files named to exactly these counts and modes (count 0
  // closes; a reserved file then open nowhere is freed). What TrimmedOpens returned, and
  // the replay of its OPENS records.
  void SetOpens(uint32_t session, std::span<const SessionOpen> opens, uint32_t now);
  // What a session holds open: (inode, descriptors).
  // Every session that holds a file open (a promoted follower adopts them).
  std::set<uint32_t> SessionsWithOpens() const;
  std::vector<std::pair<InodeId, uint32_t>> OpensOf(uint32_t session) const;
  std::vector<DetachedItem> ListTrash() const;
  std::vector<DetachedItem> ListReserved() const;
  // Frees at most max_items trash items whose time has come; returns chunk ids that lost
  // their last reference. An item still open moves to reserved instead.
  std::vector<ChunkId> PurgeExpired(uint32_t now, size_t max_items);
  Result<std::vector<ChunkId>> PurgeTrashItem(InodeId inode, uint32_t now);
  // Puts a trashed file back at its path, recreating missing directories (owned by
  // root, mode 0755) as MooseFS does. kExist if the name is taken, kNotDir if a path
  // component is not a directory.
  Status Undelete(InodeId inode, uint32_t now);
  // One trash (trash = true) or reserved item; kNoEnt when inode is not one of that kind.
  Result<DetachedItem> GetDetached(InodeId inode, bool trash) const;
  // Sets where Undelete will put a trash item (kNoEnt if it is not in trash): `path` as
  // NormalizeTrashPath takes it.
  Status SetTrashPath(InodeId inode, std::string_view path);
  // A restore path as a client writes it ("dir/file" or "/dir/file") in the form the trash
  // keeps ("/dir/file"); kInval for no name, an empty component ("a//b", "a/"), "." or
  // "..", a NUL byte, a name over kMaxNameLength or a path over kMaxTrashPathLength.
  static Result<std::string> NormalizeTrashPath(std::string_view path);

  // ---- snapshots and chunks (snapshot.cc) ----
  // Copies src (a file or a whole tree) to dst_parent/dst_name; files share chunks.
  // With overwrite, existing files in the destination are replaced and existing
  // directories merged into; without it an existing dst_name is kExist.
  // Every node a snapshot of src would copy may be read by cred (files: read; folders:
  // read and search); kAccess otherwise. Checked on live requests (Metadata::MakeSnapshot),
  // not on replay, so changelogs written before the rule still replay.
  Status CheckSnapshotReadable(const Cred& cred, InodeId src) const;
  Result<Attr> MakeSnapshot(const Cred& cred, InodeId src, InodeId dst_parent,
                            std::string_view dst_name, bool overwrite, uint32_t now);

  // ---- the same, a slice at a time (snapshot_slices.cc) ----
  // Checks the request as MakeSnapshot does (changing nothing) and returns the walk to run.
  Result<SnapshotWalk> StartSnapshot(const Cred& cred, InodeId src, InodeId dst_parent,
                                     std::string_view dst_name, bool overwrite) const;
  // One slice of at most about `budget` nodes and directory entries: first the read check
  // over the source (kAccess, nothing made, if a node may not be read), then copy steps.
  // Appends the steps that made a node to *made (what SNAPNODES records name). The top's
  // failure, or a node made unreadable since the check, ends the walk with that error (what
  // was made stays); a node gone since its parent was copied is skipped.
  Status SnapshotSome(SnapshotWalk& walk, size_t budget, uint32_t now,
                      std::vector<SnapshotStep>* made);
  // Replay: takes exactly these steps, each of which must make the node it names (kCorruption
  // otherwise). Returns the number of steps.
  Result<uint64_t> ApplySnapshotSteps(const Cred& cred, bool overwrite,
                                      std::span<const SnapshotStep> steps, uint32_t now);
  // Appends each source's chunks to dst after rounding dst's length up to a chunk.
  Status AppendChunks(const Cred& cred, InodeId dst, std::span<const InodeId> srcs, uint32_t now);
  Result<ChunkId> ChunkAt(InodeId inode, uint32_t index) const;
  // Replaces one chunk id, growing the list with holes as needed. The old id is
  // unreferenced here; the caller has referenced the new one.
  Status SetChunk(InodeId inode, uint32_t index, ChunkId chunk);
  // Drops chunks [first, first + count) of a file, leaving holes that read as zeros (the
  // length stays): what a block device's UNMAP asks for. Needs write permission.
  Status PunchChunks(const Cred& cred, InodeId inode, uint32_t first, uint32_t count, uint32_t now);
  // Every slot, holes as 0: linear in the file's length, so for tests of small files.
  Result<std::vector<ChunkId>> Chunks(InodeId inode) const;
  // The chunks a file has, in index order: linear in the chunks, whatever the length.
  Result<std::vector<ChunkList::Entry>> ChunkEntries(InodeId inode) const;
  // One past the highest chunk index the file ever held, holes included (ChunkList::size).
  Result<uint32_t> ChunkSlots(InodeId inode) const;
  // Up to `max` chunks of a file at index `from` or later, in index order (kPerm for a
  // node that is not a file): linear in what it returns, so a page of a huge sparse file
  // costs its chunks, never its holes.
  Result<std::vector<ChunkList::Entry>> ChunkEntriesFrom(InodeId inode, uint32_t from,
                                                         size_t max) const;

  // ---- comparison (dump.cc) ----
  // Every node, entry, xattr, trash and reserved item in a canonical text form.
  std::string Dump() const;

  // ---- the metadata image (store.cc) ----
  // Every fact Dump() shows, in a compact binary form (byte_codec.h varints). Chunk
  // references are not counted here: the chunk registry saves its own.
  std::string SerializeNodes() const;
  // Replaces the whole state with a serialized one without calling the ChunkRefCounter.
  // kCorruption (and an unusable namespace: drop it) on any malformed or inconsistent input.
  // `format` is the image's (its META section's): 1 ends before the cooling inode numbers,
  // 1 and 2 hold atime and mtime as u32 seconds, 3 (written now) as 64-bit seconds and
  // nanoseconds and lists only the chunks a file has (sparse), 4 (written now) adds each
  // open's mode (opens of older images load as read and write: their master let any
  // session read and write any file's chunks). See docs/metadata-image.md.
  static constexpr uint64_t kNodeFormat = 4;
  Status LoadNodes(std::string_view data, uint64_t format = kNodeFormat);

  // ---- confinement (file_parents.cc) ----
  // Is inode reachable from root by names, or (unlinked but open) held open by session?
  // A session mounted on a subfolder may only touch such nodes. True for a missing node,
  // so the request itself answers "no such node".
  bool Within(InodeId root, InodeId inode, uint32_t session) const;
  // The paths of a file's links ("/a/b"; a folder's one path, "/" for the root), for the
  // monitor and mfsfilepaths; none when it is in trash or reserved. Each directory entry
  // read costs 1 of `budget`: when it runs out, the paths found so far.
  std::vector<std::string> PathsOf(InodeId inode, size_t& budget) const;
  // In trash or reserved (what a meta session may read).
  bool Detached(InodeId inode) const {
    const Node* n = nodes_.Get(inode);
    return n != nullptr && n->detached();
  }

  // For the benchmark: nodes in use.
  size_t NodeCount() const { return nodes_.used(); }

 private:
  friend class NamespaceTestPeer;

  struct TrashInfo {
    std::string path;
    uint32_t expires = 0;
  };
  using XattrMap = std::map<std::string, std::string, std::less<>>;

  // permissions.cc
  bool Permits(const Cred& cred, const Node& node, uint8_t mask) const;
  Status CheckAccess(const Cred& cred, const Node& node, uint8_t mask) const;
  // May cred remove or rename `child` out of `dir` given dir's sticky bit?
  bool StickyAllows(const Cred& cred, const Node& dir, const Node& child) const;
  static Status CheckNewName(std::string_view name);
  static Status CheckExistingName(std::string_view name);

  // stats.cc: a node leaves the totals before it changes type, length or flags (or is
  // freed) and enters them again after.
  void CountIn(const Node& node);
  void CountOut(const Node& node);

  // tree.cc
  Attr MakeAttr(InodeId id, const Node& node) const;
  Result<Node*> DirNode(InodeId inode);
  Result<const Node*> DirNode(InodeId inode) const;
  Directory& DirOf(InodeId dir) { return dirs_.at(dir); }
  const Directory& DirOf(InodeId dir) const { return dirs_.at(dir); }
  // Checks write+exec on the parent and a free valid name, allocates and links a node.
  Result<InodeId> NewNode(const Cred& cred, InodeId parent, std::string_view name, NodeType type,
                          uint16_t mode, uint32_t now);
  void AddEntry(InodeId parent, Node& dir, std::string_view name, InodeId child, uint32_t now);
  std::string PathOf(InodeId dir) const;
  bool IsAncestorOrSelf(InodeId ancestor, InodeId node) const;

  // remove.cc
  // Removes name from dir; a non-directory child loses a link (and may go to trash,
  // reserved or be freed), a directory child is freed (it must be empty).
  void DropEntry(InodeId parent, Node& dir, std::string_view name, InodeId child, uint32_t now);
  void LastLinkGone(InodeId inode, Node& node, std::string path, uint32_t now);
  // Frees a node and its side data; collects chunks that lost their last reference.
  void FreeNode(InodeId inode, std::vector<ChunkId>* gone, uint32_t now);

  // setattr.cc
  std::vector<ChunkId> TruncateChunks(Node& node, uint64_t length);

  // store.cc
  Status CheckLoaded() const;

  // file_parents.cc
  void AddFileParent(InodeId file, InodeId dir);
  void RemoveFileParent(InodeId file, InodeId dir);
  void MoveFileParent(InodeId file, InodeId from, InodeId to);
  Status RebuildFileParents();

  // goal.cc
  Result<RecursiveSetCounts> SetEach(const Cred& cred, InodeId inode, bool recursive, uint32_t now,
                                     const std::function<bool(Node&)>& change);
  RecursiveSetCounts SetEachOf(const Cred& cred, std::span<const InodeId> ids, uint32_t now,
                               const std::function<bool(Node&)>& change,
                               std::vector<InodeId>* changed);
  // Every id of the tree under inode, in walk order (WalkSome without a budget).
  std::vector<InodeId> TreeIds(InodeId inode) const;
  template <typename Fn>
  void Walk(InodeId top, Fn&& fn) const;  // fn(InodeId, const Node&) over the tree

  // snapshot.cc
  Result<InodeId> CopyTree(const Cred& cred, InodeId src, InodeId dst_parent,
                           std::string_view dst_name, bool overwrite, uint32_t now);
  Result<InodeId> CopyOne(const Cred& cred, InodeId src, InodeId dst_parent,
                          std::string_view dst_name, bool overwrite, uint32_t now);
  InodeId CopyNode(const Cred& cred, InodeId src, InodeId dst_parent, std::string_view name,
                   uint32_t now);
  // snapshot_slices.cc
  Status CheckSnapshotTop(const Cred& cred, InodeId src, InodeId dst_parent,
                          std::string_view dst_name) const;
  bool SnapshotMayRead(const Cred& cred, const Node& node) const;
  // One node of a snapshot, live and in replay. *made: a node was made (not merged into).
  Result<InodeId> CopyStep(const Cred& cred, const SnapshotStep& step, bool overwrite, uint32_t now,
                           bool* made);
  // Queues the children of `from` to be copied into `into`; returns the entries read.
  size_t QueueSnapshotChildren(SnapshotWalk& walk, InodeId from, InodeId into) const;

  ChunkRefCounter& refs_;
  NodeTable nodes_;
  std::unordered_map<InodeId, Directory> dirs_;
  std::unordered_map<InodeId, std::string> symlinks_;
  std::unordered_map<InodeId, uint32_t> rdevs_;
  std::unordered_map<InodeId, XattrMap> xattrs_;
  // Parents beyond Node::parent of files linked from several directories, sorted.
  std::unordered_map<InodeId, std::vector<InodeId>> extra_parents_;
  std::map<InodeId, TrashInfo> trash_;
  std::set<std::pair<uint32_t, InodeId>> trash_by_expiry_;
  std::map<InodeId, std::string> reserved_;
  struct OpenCount {
    uint32_t count = 0;  // descriptors
    uint8_t mode = 0;    // kOpenedRead | kOpenedWrite, the union of their opens
  };
  std::map<std::pair<InodeId, uint32_t>, OpenCount> opens_;  // (inode, session)
  StatFs totals_;                                            // what Stats() answers
};

}  // namespace elk::master
