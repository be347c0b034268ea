// Metadata: start-up (image + changelog replay), the record plumbing shared by the operation
// files, commit, image saving and replay dispatch. See docs/durability.md.

#include "master/meta/metadata.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "common/changelog/reader.h"
#include "common/log/log.h"
#include "common/log/progress.h"
#include "master/meta/state.h"
#include "master/namespace/byte_codec.h"

namespace elk::master {

using meta_internal::MetaState;

namespace {

// 4: each open keeps its mode (read, write). 3 (read, never written): atime and mtime to
// the nanosecond, before 1970 and after 2106, and a file's chunks
// listed sparsely (only those it has). 2 (read, never
// written): they are u32 seconds, and the namespace section ends with the inode numbers
// still cooling. 1 (read, never written): it ends after the open counts.
constexpr uint64_t kMetaFormat = Namespace::kNodeFormat;

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Status WriteMarker(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "create " + path);
  std::string pid = std::to_string(::getpid()) + "\n";
  bool ok = ::write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  return ok ? Status::Ok() : Status::FromErrno(errno, "write " + path);
}

}  // namespace

// ---- the plumbing shared by the operation files ----

namespace meta_internal {

void RegistryRefs::Ref(ChunkId chunk, uint8_t goal) {
  Status s = registry_.AddRef(chunk, goal);
  if (!s.ok()) log::Error("chunk reference: {}", s.ToString());
}

uint32_t RegistryRefs::Unref(ChunkId chunk, uint8_t goal) {
  Status s = registry_.RemoveRef(chunk, goal);
  if (!s.ok()) log::Error("chunk reference: {}", s.ToString());
  const Chunk* c = registry_.Find(chunk);
  return c == nullptr ? 0 : c->refcount();
}

void RegistryRefs::ChangeGoal(ChunkId chunk, uint8_t old_goal, uint8_t new_goal) {
  Status s = registry_.ChangeGoal(chunk, old_goal, new_goal);
  if (!s.ok()) log::Error("chunk goal: {}", s.ToString());
}

Status MetaState::Log(std::string body, bool sync) {
  ++version;
  if (!writer) return Status::Ok();
  Status s = writer->Append(version, body, sync);
  if (!s.ok()) log::Error("changelog: cannot append version {}: {}", version, s.ToString());
  if (s.ok() && record_listener) unannounced.push_back({version, std::move(body)});
  return s;
}

FileTime Args::Time() {
  auto v = r_.Time();
  if (!v.ok()) return Fail(FileTime{0});
  return *v;
}

std::string Args::Str() {
  auto v = r_.Str();
  if (!v.ok()) return Fail(std::string());
  return std::move(*v);
}

std::vector<uint32_t> Args::List() {
  std::string s = Str();
  std::vector<uint32_t> out;
  for (size_t pos = 0; pos < s.size();) {
    size_t end = std::min(s.find(':', pos), s.size());
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data() + pos, s.data() + end, v);
    if (ec != std::errc() || p != s.data() + end) return Fail(std::vector<uint32_t>{});
    out.push_back(v);
    pos = end + 1;
  }
  return out;
}

Cred Args::ReadCred() {
  Cred c;
  c.uid = Num<uint32_t>();
  c.gid = Num<uint32_t>();
  c.groups = List();
  return c;
}

Status Args::Finish(std::string_view op) {
  if (ok_ && r_.AtEnd()) return Status::Ok();
  return Status(Code::kCorruption, fmt::format("{}: bad or extra arguments", op));
}

std::string JoinList(const std::vector<uint32_t>& ids) {
  return fmt::format("{}", fmt::join(ids, ":"));
}

void PutCred(changelog::BodyWriter& w, const Cred& cred) {
  w.Num(cred.uid).Num(cred.gid).Str(JoinList(cred.groups));
}

}  // namespace meta_internal

// ---- life cycle ----

Metadata::Metadata(std::unique_ptr<State> state) : state_(std::move(state)) {}
Metadata::~Metadata() = default;

Namespace& Metadata::ns() {
  return *state_->ns;
}
const Namespace& Metadata::ns() const {
  return *state_->ns;
}
ChunkRegistry& Metadata::chunks() {
  return state_->registry;
}
const ChunkRegistry& Metadata::chunks() const {
  return state_->registry;
}
uint64_t Metadata::version() const {
  return state_->version;
}

std::string Metadata::RunningMarkerPath(const std::string& dir) {
  return dir + "/metadata.running";
}

std::string Metadata::DumpChunks() const {
  return meta_internal::DumpChunks(state_->registry);
}

Status meta_internal::LoadImageState(const image::Image& image, MetaState& st) {
  const image::Section* meta = image.Find("META");
  const image::Section* nodes = image.Find("NODE");
  const image::Section* chunks = image.Find("CHNK");
  if (meta == nullptr || nodes == nullptr || chunks == nullptr) {
    return Status(Code::kCorruption, "metadata image: a META, NODE or CHNK section is missing");
  }
  ByteReader r(meta->data);
  uint64_t format = 0;
  uint64_t version = 0;
  if (!r.Var(&format) || !r.Var(&version) || format < 1 || format > kMetaFormat ||
      version != image.version) {
    return Status(Code::kCorruption, "metadata image: bad META section");
  }
  st.registry = ChunkRegistry(st.registry.config());
  st.ns = std::make_unique<Namespace>(st.refs, 0);
  ELK_RETURN_IF_ERROR(st.ns->LoadNodes(nodes->data, format));
  ELK_RETURN_IF_ERROR(meta_internal::LoadChunks(chunks->data, &st.registry));
  st.version = image.version;
  return Status::Ok();
}

Result<std::unique_ptr<Metadata>> Metadata::FromImage(const image::Image* image) {
  auto state = std::make_unique<State>();
  state->ns = std::make_unique<Namespace>(state->refs, 0);
  if (image != nullptr) ELK_RETURN_IF_ERROR(meta_internal::LoadImageState(*image, *state));
  return std::unique_ptr<Metadata>(new Metadata(std::move(state)));
}

Result<image::Image> Metadata::MakeImage(uint32_t now) const {
  image::Image img;
  img.version = state_->version;
  img.saved_at = now;
  ByteWriter meta;
  meta.Var(kMetaFormat);
  meta.Var(state_->version);
  img.sections.push_back({"META", meta.Take()});
  img.sections.push_back({"NODE", state_->ns->SerializeNodes()});
  img.sections.push_back({"CHNK", meta_internal::SerializeChunks(state_->registry)});
  return img;
}

Status Metadata::Replay(const changelog::Record& record) {
  if (record.version != state_->version + 1) {
    return Status(Code::kCorruption, fmt::format("record version {} does not follow {}",
                                                 record.version, state_->version));
  }
  auto body = changelog::BodyReader::Parse(record.body);
  if (!body.ok()) {
    return Status(Code::kCorruption,
                  fmt::format("version {}: {}", record.version, body.status().message()));
  }
  auto fn = meta_internal::FindNamespaceReplay(body->op());
  if (fn == nullptr) fn = meta_internal::FindChunkReplay(body->op());
  if (fn == nullptr) fn = meta_internal::FindTreeReplay(body->op());
  if (fn == nullptr) fn = meta_internal::FindSnapshotReplay(body->op());
  if (fn == nullptr) fn = meta_internal::FindRepairReplay(body->op());
  if (fn == nullptr) {
    return Status(Code::kCorruption,
                  fmt::format("version {}: unknown operation {}", record.version, body->op()));
  }
  meta_internal::Args args(*body);
  auto result = fn(*state_, args, body->ts());
  if (!result.ok() || (body->has_result() && *result != body->result())) {
    return Status(Code::kCorruption,
                  fmt::format("replay diverged at version {} ({}): {}", record.version, record.body,
                              result.ok() ? fmt::format("result {} instead", *result)
                                          : result.status().ToString()));
  }
  state_->version = record.version;
  return Status::Ok();
}

Status Metadata::Commit() {
  if (!state_->writer) return Status::Ok();
  if (Status s = state_->writer->Commit(); !s.ok()) {
    if (!state_->failure_heard && state_->failure_listener) {
      state_->failure_heard = true;
      state_->failure_listener(s);
    }
    return s;
  }
  if (state_->unannounced.empty()) return Status::Ok();
  std::vector<changelog::Record> records = std::move(state_->unannounced);
  state_->unannounced.clear();
  for (const changelog::Record& r : records)
    if (state_->record_listener) state_->record_listener(r.version, r.body);
  return Status::Ok();
}

void Metadata::set_failure_listener(FailureListener listener) {
  state_->failure_listener = std::move(listener);
}

void Metadata::set_record_listener(RecordListener listener) {
  state_->record_listener = std::move(listener);
  if (!state_->record_listener) state_->unannounced.clear();
}

Status Metadata::SaveImage(uint32_t now) {
  auto img = PrepareImage(now);
  if (!img.ok()) return img.status();
  ELK_RETURN_IF_ERROR(image::Save(state_->options.data_path, *img, state_->options.back_meta_keep));
  log::Info("metadata image saved at version {}", img->version);
  return Status::Ok();
}

Result<image::Image> Metadata::PrepareImage(uint32_t now) {
  ELK_RETURN_IF_ERROR(Commit());
  auto img = MakeImage(now);
  if (!img.ok()) return img.status();
  if (state_->writer) ELK_RETURN_IF_ERROR(state_->writer->Rotate());
  return img;
}

Status Metadata::Stop(uint32_t now) {
  ELK_RETURN_IF_ERROR(SaveImage(now));
  if (::unlink(RunningMarkerPath(state_->options.data_path).c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno(errno, "remove " + RunningMarkerPath(state_->options.data_path));
  }
  return Status::Ok();
}

namespace {

// The state to start from: the image, or (no image) an empty file system.
Result<std::unique_ptr<Metadata>> LoadStart(const MetadataOptions& o, bool have_image) {
  if (!have_image) return Metadata::FromImage(nullptr);
  std::string path = image::ImagePath(o.data_path);
  auto img = image::Load(path);
  if (!img.ok()) {
    return Status(Code::kCorruption,
                  fmt::format("cannot load {}: {} (try mfsmetarestore -a, or an older "
                              "metadata.mfs.back.N)",
                              path, img.status().message()));
  }
  auto md = Metadata::FromImage(&*img);
  if (!md.ok()) return Status(md.code(), path + ": " + md.status().message());
  return md;
}

}  // namespace

Result<std::unique_ptr<Metadata>> Metadata::Open(const MetadataOptions& o, uint32_t now) {
  const std::string& dir = o.data_path;
  const bool have_image = Exists(image::ImagePath(dir));
  const std::vector<std::string> logs = changelog::ListFiles(dir, "changelog");
  const bool unclean = Exists(RunningMarkerPath(dir));
  const bool fresh = !have_image && logs.empty();
  if (!fresh && (unclean || !have_image) && !o.auto_recover) {
    return Status(Code::kCorruption,
                  fmt::format("{}: the master did not stop cleanly ({}); start it with -a to "
                              "recover the metadata from the changelogs",
                              dir,
                              have_image ? RunningMarkerPath(dir) + " exists"
                                         : "no metadata.mfs, only changelogs"));
  }
  auto md = LoadStart(o, have_image);
  if (!md.ok()) return md.status();
  State& st = *(*md)->state_;
  st.options = o;
  const uint64_t start = st.version;
  log::Counter replayed("replaying changelogs", "records", 1'000'000);
  uint64_t n = 0;
  auto last = changelog::Replay(logs, start, /*cut_torn=*/true, [&](const changelog::Record& r) {
    replayed.Update(++n);
    return (*md)->Replay(r);
  });
  if (!last.ok()) {
    return Status(last.code(), fmt::format("changelog replay after version {} refused: {}", start,
                                           last.status().message()));
  }
  if (st.version != start) {
    log::Info("{}: loaded version {}, replayed {} changelog records to version {}", dir, start,
              st.version - start, st.version);
  }
  changelog::WriterOptions wo{dir, "changelog", o.back_logs, o.sync, o.changelog_ops};
  auto writer = changelog::Writer::Open(wo, st.version);
  if (!writer.ok()) return writer.status();
  st.writer = std::move(*writer);
  if (fresh) {
    st.ns = std::make_unique<Namespace>(st.refs, now);
    ELK_RETURN_IF_ERROR(st.Log(changelog::BodyWriter(now, "INIT").Done()));
  }
  if (fresh || st.version != start) ELK_RETURN_IF_ERROR((*md)->SaveImage(now));
  ELK_RETURN_IF_ERROR(WriteMarker(RunningMarkerPath(dir)));
  return md;
}

}  // namespace elk::master
