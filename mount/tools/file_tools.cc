// mfscheckfile and mfsfileinfo: what the master knows about a file's chunks and copies, and
// with -c / -s what each copy's chunkserver says of its block CRCs.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "common/file_limits.h"
#include "mount/tools/backend.h"
#include "mount/tools/chunk_digest.h"
#include "mount/tools/number_format.h"
#include "mount/tools/options.h"
#include "mount/tools/session.h"
#include "mount/tools/tools.h"
#include "mount/tools/usage.h"

namespace elk::tools {
namespace {

std::string_view CopiesLabel(size_t copies) {
  static const std::string kLabels[] = {
      " chunks with 0 copies:  ", " chunks with 1 copy:    ", " chunks with 2 copies:  ",
      " chunks with 3 copies:  ", " chunks with 4 copies:  ", " chunks with 5 copies:  ",
      " chunks with 6 copies:  ", " chunks with 7 copies:  ", " chunks with 8 copies:  ",
      " chunks with 9 copies:  ", " chunks with 10+ copies:"};
  return kLabels[std::min<size_t>(copies, 10)];
}

std::string_view StateName(CopyState state) {
  switch (state) {
    case CopyState::kValid:
      return "VALID";
    case CopyState::kMarkedForRemoval:
      return "MARKED FOR REMOVAL";
    case CopyState::kWrongVersion:
      return "WRONG VERSION";
    case CopyState::kWrongVersionMarked:
      return "WRONG VERSION , MARKED FOR REMOVAL";
    case CopyState::kInvalid:
      return "INVALID";
  }
  return "???";
}

std::string Ipv4(uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF, ip & 0xFF);
}

// A run of up to this many holes prints a line per hole, as MooseFS 3's mfsfileinfo does;
// a longer run prints one "chunks N-M: empty" line, so the output follows the chunks a
// file has, not its length (docs/tools.md).
constexpr uint64_t kListedHoleRun = 16;

struct FileChunkList {
  uint64_t length = 0;
  std::vector<IndexedChunk> chunks;  // in index order
};

// Every chunk a file has, page after page. Each page must start at or after the index
// asked for and move on, so the loop ends after at most one page per chunk.
Result<FileChunkList> ReadChunks(ToolBackend& backend, uint32_t inode) {
  FileChunkList out;
  uint32_t from = 0;
  while (true) {
    auto page = backend.FileChunks(inode, from);
    if (!page.ok()) return page.status();
    out.length = page->file_length;
    for (IndexedChunk& c : page->chunks) {
      const bool ordered = c.index >= from && (!page->next || c.index < *page->next);
      if (!ordered) return Status(Code::kProtocol, "chunk list out of order");
      from = c.index + 1;
      out.chunks.push_back(std::move(c));
    }
    if (!page->next) return out;
    if (page->chunks.empty()) return Status(Code::kProtocol, "chunk list page without chunks");
    from = *page->next;
  }
}

size_t ValidCopies(const ChunkInfo& chunk) {
  return static_cast<size_t>(
      std::count_if(chunk.copies.begin(), chunk.copies.end(),
                    [](const ChunkCopy& c) { return c.state == CopyState::kValid; }));
}

bool CheckOne(Session& session, const NumberFormat& nf, const std::string& path) {
  ToolEnv& env = session.env();
  auto target = session.Resolve(path);
  if (!target.ok()) return Failed(env, path, target.status());
  auto file = ReadChunks(*target->backend, target->inode);
  if (!file.ok()) return Failed(env, path, file.status());
  std::array<uint32_t, 11> by_copies{};  // the last slot counts 10 or more
  for (const IndexedChunk& c : file->chunks)
    ++by_copies[std::min<size_t>(ValidCopies(c.chunk), 10)];
  env.out << path << ":\n";
  for (size_t copies = 0; copies < by_copies.size(); ++copies) {
    uint32_t n = by_copies[copies];
    if (n > 0) env.out << CopiesLabel(copies) << " " << nf.Column(n, true, false) << "\n";
  }
  return true;
}

// The holes at indexes [first, end).
void PrintHoles(ToolEnv& env, uint64_t first, uint64_t end) {
  if (end <= first) return;
  if (end - first > kListedHoleRun) {
    env.out << fmt::format("\tchunks {}-{}: empty\n", first, end - 1);
    return;
  }
  for (uint64_t i = first; i < end; ++i)
    env.out << fmt::format("\tchunk {}: empty\n", i);
}

// What -c and -s add to mfsfileinfo's listing.
struct InfoOptions {
  bool checksums = false;  // -c: each copy's block count and checksum digest
  bool signature = false;  // -s: the file's signature after its chunks
};

// MooseFS's words for a chunkserver's refusal (mfsstrerr), where they differ from ours.
std::string CsQueryError(const Status& s) {
  switch (s.code()) {
    case Code::kWrongVersion:
      return "Wrong chunk version";
    case Code::kNoChunk:
      return "No such chunk";
    default:
      return s.message().empty() ? s.ToString() : s.message();
  }
}

struct CopyLine {
  ChunkCopy copy;
  std::optional<std::vector<uint32_t>> crcs;  // asked for and received
};

// The chunk's copies sorted by address; with `fetch`, each with the CRCs its chunkserver
// gave (a refusal is printed on stdout, before the copies, as MooseFS prints it).
std::vector<CopyLine> SortedCopies(ToolEnv& env, ToolBackend& backend, const ChunkInfo& chunk,
                                   bool fetch) {
  std::vector<CopyLine> copies;
  for (const ChunkCopy& c : chunk.copies)
    copies.push_back({c, std::nullopt});
  std::sort(copies.begin(), copies.end(), [](const CopyLine& a, const CopyLine& b) {
    return a.copy.ip != b.copy.ip ? a.copy.ip < b.copy.ip : a.copy.port < b.copy.port;
  });
  if (!fetch) return copies;
  for (CopyLine& line : copies) {
    auto crcs = backend.CopyChecksums(line.copy, chunk.chunk_id, chunk.version);
    if (crcs.ok()) {
      line.crcs = std::move(*crcs);
    } else {
      env.out << fmt::format("{}:{} cs query error: {}\n", Ipv4(line.copy.ip), line.copy.port,
                             CsQueryError(crcs.status()));
    }
  }
  return copies;
}

void PrintChunk(ToolEnv& env, ToolBackend& backend, uint32_t index, const ChunkInfo& chunk,
                const InfoOptions& opt, FileSignature* signature) {
  env.out << fmt::format("\tchunk {}: {:016X}_{:08X} / (id:{} ver:{})\n", index, chunk.chunk_id,
                         chunk.version, chunk.chunk_id, chunk.version);
  const std::vector<CopyLine> copies =
      SortedCopies(env, backend, chunk, opt.checksums || opt.signature);
  size_t valid = 0;
  const std::vector<uint32_t>* first_valid = nullptr;  // signed, and compared with the others
  bool differ = false;
  for (size_t i = 0; i < copies.size(); ++i) {
    const CopyLine& line = copies[i];
    const bool ok =
        line.copy.state == CopyState::kValid || line.copy.state == CopyState::kMarkedForRemoval;
    if (line.copy.state == CopyState::kValid) ++valid;
    std::string detail;
    if (opt.checksums && line.crcs) {
      detail = fmt::format(" ; blocks: {} ; checksum digest: {}", line.crcs->size(),
                           ChecksumDigest(*line.crcs));
    }
    env.out << fmt::format("\t\tcopy {}: {}:{} (status:{}{})", i + 1, Ipv4(line.copy.ip),
                           line.copy.port, StateName(line.copy.state), detail);
    if (opt.checksums && !line.crcs) env.out << " - can't get checksum";
    env.out << "\n";
    if (ok && line.crcs) {
      if (first_valid == nullptr) {
        first_valid = &*line.crcs;
      } else if (*first_valid != *line.crcs) {
        differ = true;
      }
    }
  }
  if (differ) env.out << "\t\tcopies have different checksums !!!\n";
  if (valid == 0) env.out << "\t\tno valid copies !!!\n";
  if (signature == nullptr) return;
  if (first_valid == nullptr) {
    env.out << "\t\tcouldn't add this chunk to signature !!!\n";
  } else {
    signature->AddChunk(*first_valid);
  }
}

bool InfoOne(Session& session, const std::string& path, const InfoOptions& opt) {
  ToolEnv& env = session.env();
  auto target = session.Resolve(path);
  if (!target.ok()) return Failed(env, path, target.status());
  auto file = ReadChunks(*target->backend, target->inode);
  if (!file.ok()) return Failed(env, path, file.status());
  // Every index up to the length, and any chunk past it.
  uint64_t slots = (file->length + kChunkSize - 1) / kChunkSize;
  if (!file->chunks.empty()) slots = std::max<uint64_t>(slots, file->chunks.back().index + 1);
  std::optional<FileSignature> signature;
  if (opt.signature) signature.emplace();
  env.out << path << ":\n";
  if (slots == 0) env.out << "\tno chunks - empty file\n";
  uint64_t next = 0;
  for (const IndexedChunk& c : file->chunks) {
    PrintHoles(env, next, c.index);
    PrintChunk(env, *target->backend, c.index, c.chunk, opt, signature ? &*signature : nullptr);
    next = uint64_t{c.index} + 1;
  }
  PrintHoles(env, next, slots);
  if (signature) env.out << path << " signature: " << signature->Hex() << "\n";
  return true;
}

}  // namespace

int CheckFileTool(ToolEnv& env, ToolArgs args) {
  auto parsed = ParseSwitches(args, "nhHkmg");
  if (!parsed.ok()) return UsageError(env, ToolId::kCheckFile, parsed.status().message());
  if (parsed->operands.empty()) return UsageError(env, ToolId::kCheckFile);
  NumberFormat nf = NumberFormat::FromEnv(env.hrformat);
  for (char c : parsed->switches)
    nf.ApplySwitch(c);
  Session session(env);
  int rc = 0;
  for (const std::string& path : parsed->operands) {
    if (!CheckOne(session, nf, path)) rc = 1;
  }
  return rc;
}

int FileInfoTool(ToolEnv& env, ToolArgs args) {
  auto parsed = ParseSwitches(args, "qcs");
  if (!parsed.ok()) return UsageError(env, ToolId::kFileInfo, parsed.status().message());
  if (parsed->operands.empty()) return UsageError(env, ToolId::kFileInfo);
  const bool quick = parsed->has('q');
  const InfoOptions opt{.checksums = parsed->has('c'), .signature = parsed->has('s')};
  Session session(env);
  int rc = 0;
  for (const std::string& path : parsed->operands) {
    bool ok = quick ? CheckOne(session, NumberFormat(), path) : InfoOne(session, path, opt);
    if (!ok) rc = 1;
  }
  return rc;
}

}  // namespace elk::tools
