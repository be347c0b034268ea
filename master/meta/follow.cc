// Metadata on a follower master: records received from the leader are replayed by the same
// code as recovery and appended to the follower's own changelog; a downloaded image replaces
// the whole state (and the files on disk) when the follower resyncs. See docs/failover.md.

#include <cstdio>
#include <ctime>
#include <filesystem>

#include "common/changelog/reader.h"
#include "common/log/log.h"
#include "master/meta/metadata.h"
#include "master/meta/state.h"

namespace elk::master {

namespace {

// Moves every changelog.N.mfs of `dir` out of the replay's way, as
// discarded_changelog.<time>.N.mfs: records a leader never had must not be replayed after
// the image that replaces them, but a person may still want to read them.
Status SetAsideChangelogs(const std::string& dir) {
  const long stamp = static_cast<long>(::time(nullptr));
  for (const std::string& path : changelog::ListFiles(dir, "changelog")) {
    std::string name = std::filesystem::path(path).filename().string();
    std::string to = fmt::format("{}/discarded_{}.{}", dir, stamp, name);
    if (std::rename(path.c_str(), to.c_str()) != 0) {
      return Status::FromErrno(errno, "set aside " + path);
    }
    log::Warning("{}: records newer than the leader's image set aside as {}", path, to);
  }
  return Status::Ok();
}

}  // namespace

Status Metadata::ApplyFollowed(const changelog::Record& record) {
  ELK_RETURN_IF_ERROR(Replay(record));
  State& st = *state_;
  if (!st.writer) return Status::Ok();
  Status s = st.writer->Append(record.version, record.body);
  if (!s.ok()) {
    log::Error("changelog: cannot append followed version {}: {}", record.version, s.ToString());
    return s;
  }
  if (st.record_listener) st.unannounced.push_back(record);
  return Status::Ok();
}

Status Metadata::ResetToImage(const image::Image& img) {
  State& st = *state_;
  const bool newer_here = st.version > img.version;
  st.unannounced.clear();
  // In memory first: an image that does not load changes nothing on disk (the state is
  // unusable then, and the caller asks for another image).
  ELK_RETURN_IF_ERROR(meta_internal::LoadImageState(img, st));
  if (!st.writer) return Status::Ok();
  Status s = RestartFilesAt(img, newer_here);
  // Without its files this master cannot log what it applies: as a failed commit, final.
  if (!s.ok() && !st.failure_heard && st.failure_listener) {
    st.failure_heard = true;
    st.failure_listener(s);
  }
  return s;
}

Status Metadata::RestartFilesAt(const image::Image& img, bool set_aside) {
  State& st = *state_;
  const std::string& dir = st.options.data_path;
  // The records held so far go to changelog.1 (kept as BACK_LOGS says) ...
  ELK_RETURN_IF_ERROR(st.writer->Rotate());
  st.writer.reset();
  // ... unless some follow the image's version: those the leader never had are set aside
  // before the image is saved, so no crash between the two can replay them onto it.
  if (set_aside) ELK_RETURN_IF_ERROR(SetAsideChangelogs(dir));
  ELK_RETURN_IF_ERROR(image::Save(dir, img, st.options.back_meta_keep));
  changelog::WriterOptions wo{dir, "changelog", st.options.back_logs, st.options.sync,
                              st.options.changelog_ops};
  auto writer = changelog::Writer::Open(wo, img.version);
  if (!writer.ok()) return writer.status();
  st.writer = std::move(*writer);
  return Status::Ok();
}

}  // namespace elk::master
