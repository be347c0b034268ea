// Chunkserver throughput with the real programs on loopback: a master and two chunkservers
// from the test harness (tests/harness), data through libelkclient (no FUSE):
//   write   SIZE MiB at goal 1 (chained write to one server, page-cache disks)
//   read    the same bytes back, cold (the page cache dropped first when run as root)
//   replicate  goal 1 -> 2: time until every chunk has its second copy
// Prints MiB/s for each. Usage: chunkserver_bench [SIZE_MIB=512]
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "mount/client/chunk_io.h"
#include "mount/client/master_session.h"
#include "tests/harness/cluster.h"

namespace {

namespace proto = elk::protocol;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void DropCaches() {
  ::sync();
  int fd = ::open("/proc/sys/vm/drop_caches", O_WRONLY);
  if (fd < 0) {
    std::printf("(not root: the read below may come from the page cache)\n");
    return;
  }
  if (::write(fd, "3\n", 2) != 2) std::printf("(drop_caches failed)\n");
  ::close(fd);
}

int ValidCopies(elk::client::MasterSession& s, uint32_t inode, uint32_t index) {
  auto r = s.Call<proto::MatoclChunkInfo>(proto::CltomaChunkInfo{0, inode, index});
  if (!r.ok()) return -1;
  int n = 0;
  for (const auto& c : r->copies)
    n += c.valid ? 1 : 0;
  return n;
}

int Fail(const char* what, const elk::Status& s) {
  std::fprintf(stderr, "chunkserver_bench: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 512;
  auto cluster = elk::test::Cluster::Start(
      {.chunkservers = 2,
       .master_cfg = {{"CHANGELOG_SYNC", "0"}, {"REPLICATIONS_DELAY_INIT", "0"}}});
  if (!cluster.ok()) return Fail("cluster", cluster.status());
  auto session =
      elk::client::MasterSession::Open({.host = "127.0.0.1", .port = (*cluster)->client_port()});
  if (!session.ok()) return Fail("session", session.status());
  auto& s = **session;
  std::this_thread::sleep_for(2s);  // both chunkservers register their space
  auto file = s.Create(1, "bench", 0644, 022, {}, /*open=*/true);  // read and write, as a mount
  if (!file.ok()) return Fail("create", file.status());
  const uint32_t inode = file->inode;
  (void)s.Call<proto::MatoclSetgoal>(
      proto::CltomaSetgoal{0, inode, 1, proto::SetMode::kSet, false, {}});

  std::vector<uint8_t> piece(8u << 20);
  std::mt19937 rng(1);
  for (auto& b : piece)
    b = static_cast<uint8_t>(rng());
  elk::client::ChunkIo io(s);
  const uint64_t total = mib << 20;
  auto t = Clock::now();
  for (uint64_t at = 0; at < total; at += piece.size())
    if (auto st = io.Write(inode, at, piece); !st.ok()) return Fail("write", st);
  const double write_s = Since(t);

  DropCaches();
  elk::client::ChunkIo reader(s);
  t = Clock::now();
  for (uint64_t at = 0; at < total; at += piece.size()) {
    auto r = reader.Read(inode, at, static_cast<uint32_t>(piece.size()));
    if (!r.ok()) return Fail("read", r.status());
    if (*r != piece) return Fail("read", elk::Status(elk::Code::kCrc, "bytes differ"));
  }
  const double read_s = Since(t);

  const auto chunks =
      static_cast<uint32_t>((total + elk::kChunkSize - 1) / elk::kChunkSize);
  (void)s.Call<proto::MatoclSetgoal>(
      proto::CltomaSetgoal{0, inode, 2, proto::SetMode::kSet, false, {}});
  t = Clock::now();
  uint32_t done = 0;
  while (done < chunks && Since(t) < 600) {
    done = 0;
    for (uint32_t i = 0; i < chunks; ++i)
      done += ValidCopies(s, inode, i) >= 2 ? 1 : 0;
    if (done < chunks) std::this_thread::sleep_for(50ms);
  }
  const double repl_s = Since(t);
  if (done < chunks) std::printf("replication did not finish: %u of %u chunks\n", done, chunks);

  std::printf("chunkserver_bench: %llu MiB, 1 master + 2 chunkservers on 127.0.0.1\n",
              static_cast<unsigned long long>(mib));
  std::printf("write goal 1     %8.1f MiB/s\n", static_cast<double>(mib) / write_s);
  std::printf("read (cold)      %8.1f MiB/s\n", static_cast<double>(mib) / read_s);
  std::printf("replicate 1 -> 2 %8.1f MiB/s  (%u chunks in %.2f s, polled every 50 ms)\n",
              static_cast<double>(mib) / repl_s, chunks, repl_s);
  return 0;
}
