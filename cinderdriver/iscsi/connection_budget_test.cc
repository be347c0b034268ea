// The byte budget of a connection (buffer_budget.cc) seen from an initiator that pipelines
// large writes with immediate and unsolicited data and answers R2Ts, against a device that
// holds every write until the test lets them go: the target holds at most about its budget
// however much the initiator has queued, and every command still completes.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "cinderdriver/iscsi/memory_device.h"
#include "cinderdriver/iscsi/portal.h"

namespace elk::iscsi {
namespace {

using namespace std::chrono_literals;

constexpr uint32_t kSegment = 256 << 10;     // our MaxRecvDataSegmentLength
constexpr uint32_t kFirstBurst = 512 << 10;  // unsolicited: immediate + one data-out
constexpr uint32_t kWrite = 2 << 20;         // each WRITE(10)
constexpr uint32_t kCommands = 32;
constexpr uint64_t kBudget = 4 << 20;

// Holds every write until Open(): the writes pile up in the target as they would on a slow
// volume.
class GatedDevice : public MemoryDevice {
 public:
  using MemoryDevice::MemoryDevice;
  Status Write(uint64_t offset, std::span<const uint8_t> data) override {
    {
      std::unique_lock lock(gate_mu_);
      if (!gate_cv_.wait_for(lock, 30s, [this] { return open_; }))
        return Status(Code::kTimeout, "gate");
    }
    return MemoryDevice::Write(offset, data);
  }
  void Open() {
    std::lock_guard lock(gate_mu_);
    open_ = true;
    gate_cv_.notify_all();
  }

 private:
  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  bool open_ = false;
};

// A minimal initiator: the test thread sends commands within the window, a reader thread
// answers R2Ts and counts answers.
class Initiator {
 public:
  explicit Initiator(uint16_t port) : fd_(Connect(port)), reader_pdus_(fd_) {}
  ~Initiator() {
    ::shutdown(fd_, SHUT_RDWR);
    if (reader_.joinable()) reader_.join();
    ::close(fd_);
  }

  // Logs in with immediate and unsolicited data; then starts the reader.
  void Login(const std::string& iqn) {
    ASSERT_GE(fd_, 0) << "connect";
    Pdu req;
    req.set_opcode(kOpLoginRequest | 0x40);
    req.set_flags(0x80 | (1 << 2) | 3);  // operational stage, transit to full feature
    req.bhs[8] = 0x40;                   // ISID
    req.set_itt(1);
    req.put32(24, cmd_sn_);
    req.data = EncodeTextKeys({{"InitiatorName", "iqn.2026-12.test:budget"},
                               {"TargetName", iqn},
                               {"SessionType", "Normal"},
                               {"HeaderDigest", "None"},
                               {"DataDigest", "None"},
                               {"InitialR2T", "No"},
                               {"ImmediateData", "Yes"},
                               {"FirstBurstLength", std::to_string(kFirstBurst)},
                               {"MaxBurstLength", std::to_string(1 << 20)},
                               {"MaxRecvDataSegmentLength", std::to_string(kSegment)}});
    ASSERT_TRUE(Write(req).ok());
    auto resp = reader_pdus_.Read(PduFormat{});
    ASSERT_TRUE(resp.ok()) << resp.status().ToString();
    ASSERT_EQ(resp->opcode(), kOpLoginResponse);
    ASSERT_EQ(resp->bhs[36], 0) << "login refused";
    ASSERT_EQ(resp->flags() & 0x83, 0x83) << "no transit to full feature";
    max_cmd_sn_ = resp->u32(32);
    reader_ = std::thread([this] { ReadLoop(); });
  }

  // Sends WRITE number `i` (its immediate and unsolicited data) if the window allows.
  bool TrySendWrite(uint32_t i) {
    if (static_cast<int32_t>(max_cmd_sn_.load() - cmd_sn_) < 0) return false;
    const std::vector<uint8_t> data = Data(i);
    Pdu cmd;
    cmd.set_opcode(kOpScsiCommand);
    cmd.set_flags(0x20 | 0x01);  // W, simple; unsolicited data-out follows (no F)
    cmd.set_itt(0x100 + i);
    cmd.put32(20, kWrite);
    cmd.put32(24, cmd_sn_++);
    const uint32_t lba = i * (kWrite / 512);
    cmd.bhs[32] = 0x2a;  // WRITE(10)
    for (int b = 0; b < 4; ++b)
      cmd.bhs[34 + b] = static_cast<uint8_t>(lba >> (24 - 8 * b));
    cmd.bhs[39] = static_cast<uint8_t>((kWrite / 512) >> 8);
    cmd.bhs[40] = static_cast<uint8_t>(kWrite / 512);
    cmd.data.assign(data.begin(), data.begin() + kSegment);
    EXPECT_TRUE(Write(cmd).ok());
    EXPECT_TRUE(SendData(0x100 + i, kReservedTag, kSegment, kFirstBurst - kSegment, data).ok());
    return true;
  }

  static std::vector<uint8_t> Data(uint32_t i) {
    return std::vector<uint8_t>(kWrite, static_cast<uint8_t>(i + 1));
  }
  uint32_t good() const { return good_.load(); }
  uint32_t bad() const { return bad_.load(); }

 private:
  static int Connect(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0) return fd;
    ::close(fd);
    return -1;
  }
  Status Write(const Pdu& pdu) {
    std::lock_guard lock(send_mu_);
    return WriteAll(fd_, EncodePdu(pdu, PduFormat{}));
  }
  // Data-out PDUs for [offset, offset + length) of the write's data, one sequence.
  Status SendData(uint32_t itt, uint32_t ttt, uint32_t offset, uint32_t length,
                  const std::vector<uint8_t>& data) {
    uint32_t sn = 0;
    for (uint32_t at = offset; at < offset + length; at += kSegment) {
      const uint32_t n = std::min(kSegment, offset + length - at);
      Pdu d;
      d.set_opcode(kOpDataOut);
      d.set_flags(at + n >= offset + length ? 0x80 : 0);
      d.set_itt(itt);
      d.put32(20, ttt);
      d.put32(36, sn++);
      d.put32(40, at);
      d.data.assign(data.begin() + at, data.begin() + at + n);
      ELK_RETURN_IF_ERROR(Write(d));
    }
    return Status::Ok();
  }
  void ReadLoop() {
    for (;;) {
      auto pdu = reader_pdus_.Read(PduFormat{false, false, 1 << 20});
      if (!pdu.ok()) return;
      const uint32_t max = pdu->u32(32);
      if (static_cast<int32_t>(max - max_cmd_sn_.load()) > 0) max_cmd_sn_ = max;
      if (pdu->opcode() == kOpR2T) {
        const uint32_t i = pdu->itt() - 0x100;
        if (!SendData(pdu->itt(), pdu->u32(20), pdu->u32(40), pdu->u32(44), Data(i)).ok()) return;
      } else if (pdu->opcode() == kOpScsiResponse && pdu->bhs[3] == kStatusGood) {
        ++good_;
      } else {
        ++bad_;
      }
    }
  }

  int fd_ = -1;
  PduReader reader_pdus_;
  std::mutex send_mu_;
  uint32_t cmd_sn_ = 1;
  std::atomic<uint32_t> max_cmd_sn_{0};
  std::atomic<uint32_t> good_{0}, bad_{0};
  std::thread reader_;
};

TEST(ConnectionBudget, PipelinedWritesAreHeldWithinTheBudgetAndAllComplete) {
  auto device = std::make_shared<GatedDevice>(uint64_t{kWrite} * kCommands);
  TargetRegistry targets;
  const std::string iqn = "iqn.2026-12.test:vol";
  targets.Add(std::make_shared<const Target>(
      Target{iqn, std::make_shared<ScsiLu>(device, LuIdentity{"B1", 1, "test"}), std::nullopt}));
  TaskPool pool(8);
  PortalLimits guards;
  guards.connection_buffer_bytes = kBudget;
  auto portal = Portal::Open(
      "127.0.0.1", 0, targets, pool,
      TargetLimits{.max_recv_data = kSegment, .max_burst = 1 << 20, .first_burst = kFirstBurst},
      guards);
  ASSERT_TRUE(portal.ok()) << portal.status().ToString();
  {
    Initiator ini((*portal)->port());
    ASSERT_NO_FATAL_FAILURE(ini.Login(iqn));
    // Send as fast as the window lets us while nothing is answered; stop when the window
    // has stayed shut for a second.
    uint32_t sent = 0;
    auto last_progress = std::chrono::steady_clock::now();
    while (sent < kCommands && std::chrono::steady_clock::now() - last_progress < 1s) {
      if (ini.TrySendWrite(sent)) {
        ++sent;
        last_progress = std::chrono::steady_clock::now();
      } else {
        std::this_thread::sleep_for(5ms);
      }
    }
    const uint64_t peak = (*portal)->peak_held_bytes();
    // Unthrottled the target would hold every command's 2 MiB: 64 MiB.
    EXPECT_LT(sent, kCommands) << "the window never closed";
    EXPECT_GE(peak, kBudget / 2) << "the writes did not pile up: the test shows nothing";
    EXPECT_LE(peak, 2 * kBudget) << "held beyond the budget";
    EXPECT_EQ(ini.good(), 0u);
    device->Open();
    // Now every write completes, the window reopens as they do, and none is refused.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (sent < kCommands && std::chrono::steady_clock::now() < deadline) {
      if (ini.TrySendWrite(sent))
        ++sent;
      else
        std::this_thread::sleep_for(1ms);
    }
    while (ini.good() + ini.bad() < kCommands && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    EXPECT_EQ(sent, kCommands);
    EXPECT_EQ(ini.good(), kCommands);
    EXPECT_EQ(ini.bad(), 0u);
    EXPECT_LE((*portal)->peak_held_bytes(), 2 * kBudget);
  }
  for (uint32_t i = 0; i < kCommands; ++i) {
    std::vector<uint8_t> back(kWrite);
    ASSERT_TRUE(device->Read(uint64_t{i} * kWrite, back).ok());
    EXPECT_EQ(back, Initiator::Data(i)) << "write " << i;
  }
  (*portal)->Stop();
  EXPECT_EQ((*portal)->held_bytes(), 0u);
}

}  // namespace
}  // namespace elk::iscsi
