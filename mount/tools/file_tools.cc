// mfscheckfile and mfsfileinfo: what the master knows about a file's chunks and copies.

#include <fmt/format.h>

#include <algorithm>

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

bool CheckOne(Session& session, const NumberFormat& nf, const std::string& path) {
  ToolEnv& env = session.env();
  auto target = session.Resolve(path);
  if (!target.ok()) return Failed(env, path, target.status());
  auto counts = target->backend->CheckFile(target->inode);
  if (!counts.ok()) return Failed(env, path, counts.status());
  env.out << path << ":\n";
  for (size_t copies = 0; copies < counts->chunks_by_copies.size(); ++copies) {
    uint32_t n = counts->chunks_by_copies[copies];
    if (n > 0) env.out << CopiesLabel(copies) << " " << nf.Column(n, true, false) << "\n";
  }
  return true;
}

void PrintChunk(ToolEnv& env, size_t index, const ChunkInfo& chunk) {
  if (chunk.chunk_id == 0 && chunk.version == 0) {
    env.out << fmt::format("\tchunk {}: empty\n", index);
    return;
  }
  env.out << fmt::format("\tchunk {}: {:016X}_{:08X} / (id:{} ver:{})\n", index, chunk.chunk_id,
                         chunk.version, chunk.chunk_id, chunk.version);
  std::vector<ChunkCopy> copies = chunk.copies;
  std::sort(copies.begin(), copies.end(), [](const ChunkCopy& a, const ChunkCopy& b) {
    return a.ip != b.ip ? a.ip < b.ip : a.port < b.port;
  });
  size_t valid = 0;
  for (size_t i = 0; i < copies.size(); ++i) {
    if (copies[i].state == CopyState::kValid) ++valid;
    env.out << fmt::format("\t\tcopy {}: {}:{} (status:{})\n", i + 1, Ipv4(copies[i].ip),
                           copies[i].port, StateName(copies[i].state));
  }
  if (valid == 0) env.out << "\t\tno valid copies !!!\n";
}

bool InfoOne(Session& session, const std::string& path) {
  ToolEnv& env = session.env();
  auto target = session.Resolve(path);
  if (!target.ok()) return Failed(env, path, target.status());
  auto chunks = target->backend->FileInfo(target->inode);
  if (!chunks.ok()) return Failed(env, path, chunks.status());
  env.out << path << ":\n";
  if (chunks->empty()) env.out << "\tno chunks - empty file\n";
  for (size_t i = 0; i < chunks->size(); ++i)
    PrintChunk(env, i, (*chunks)[i]);
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
  auto parsed = ParseSwitches(args, "q");
  if (!parsed.ok()) return UsageError(env, ToolId::kFileInfo, parsed.status().message());
  if (parsed->operands.empty()) return UsageError(env, ToolId::kFileInfo);
  const bool quick = parsed->has('q');
  Session session(env);
  int rc = 0;
  for (const std::string& path : parsed->operands) {
    bool ok = quick ? CheckOne(session, NumberFormat(), path) : InfoOne(session, path);
    if (!ok) rc = 1;
  }
  return rc;
}

}  // namespace elk::tools
