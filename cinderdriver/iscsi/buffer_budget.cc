// The byte budget of a connection: how much command data (write buffers, room for read
// answers) it may hold, so that no initiator can make the target buffer more than a
// bounded amount however many commands it pipelines.
//
// Three levers, none of which refuses a legal command:
// - R2T grants. A write holds only what the initiator may send unasked (immediate data,
//   FirstBurstLength) until it is granted its whole transfer; grants go oldest first, when
//   the rest fits in the budget, or when nothing granted or running could free bytes (so
//   one write larger than the budget still goes, alone). A granted write always finishes,
//   so grants never wait on each other.
// - The command window (RFC 7143 section 4.2.2.1). MaxCmdSN opens only as far as the
//   budget has room for each new command's unsolicited data; it never moves back, and
//   the status of each finished command carries the reopened window.
// - TCP. A read waits to be read off the socket until its answer fits or nothing runs.

#include <algorithm>

#include "cinderdriver/iscsi/connection.h"

namespace elk::iscsi {

namespace {

void RaisePeak(std::atomic<uint64_t>& peak, uint64_t now) {
  uint64_t seen = peak.load();
  while (now > seen && !peak.compare_exchange_weak(seen, now)) {
  }
}

}  // namespace

void Connection::Hold(uint64_t n) {
  const uint64_t now = held_.fetch_add(n) + n;
  const uint64_t total = portal_.total->bytes.fetch_add(n) + n;
  RaisePeak(peak_held_, now);
  RaisePeak(portal_.total->peak, total);
}

void Connection::Release(uint64_t n) {
  held_.fetch_sub(n);
  portal_.total->bytes.fetch_sub(n);
}

bool Connection::Fits(uint64_t more) const {
  return held_.load() + more <= portal_.connection_bytes &&
         portal_.total->bytes.load() + more <= portal_.total->limit;
}

Status Connection::AskForRest(WriteTask& t) {
  if (t.granted) return SendNextR2T(t);
  if (!t.queued) {
    t.queued = true;
    grant_queue_.push_back(t.itt);
  }
  return GrantWaiting();
}

Status Connection::GrantWaiting() {
  while (!grant_queue_.empty()) {
    auto it = writes_.find(grant_queue_.front());
    if (it == writes_.end()) {  // answered or aborted meanwhile
      grant_queue_.pop_front();
      continue;
    }
    WriteTask& t = it->second;
    const uint64_t more = t.length - t.buffer.size();
    if (!Fits(more) && granted_ + dispatched_.load() > 0) return Status::Ok();
    grant_queue_.pop_front();
    t.queued = false;
    t.granted = true;
    ++granted_;
    Hold(more);
    t.buffer.resize(t.length);
    ELK_RETURN_IF_ERROR(SendNextR2T(t));
  }
  return Status::Ok();
}

void Connection::DropWrite(std::map<uint32_t, WriteTask>::iterator it) {
  Release(it->second.buffer.size());
  if (it->second.granted) --granted_;
  if (it->second.queued)
    grant_queue_.erase(std::find(grant_queue_.begin(), grant_queue_.end(), it->first));
  writes_.erase(it);
}

void Connection::FinishDispatched(uint64_t held) {
  Release(held);
  dispatched_.fetch_sub(1);
  std::lock_guard lock(writes_mu_);
  (void)GrantWaiting();  // a failed R2T means the connection is gone: the reader sees it
}

uint32_t Connection::NextMaxCmdSn(uint32_t exp) {
  const uint64_t per_command =
      std::max<uint64_t>({portal_.limits.first_burst, portal_.limits.max_recv_data, 1});
  const uint64_t held = held_.load();
  const uint64_t total = portal_.total->bytes.load();
  const uint64_t room =
      std::min(portal_.connection_bytes - std::min(held, portal_.connection_bytes),
               portal_.total->limit - std::min(total, portal_.total->limit));
  uint64_t slots = std::min<uint64_t>(portal_.command_window, room / per_command);
  // With nothing held no answer of ours would reopen a closed window: keep one slot.
  if (held == 0) slots = std::max<uint64_t>(slots, 1);
  const uint32_t want = exp + static_cast<uint32_t>(slots) - 1;
  const uint32_t had = max_cmd_sn_.load();
  if (static_cast<int32_t>(want - had) > 0) max_cmd_sn_ = want;
  return max_cmd_sn_.load();
}

}  // namespace elk::iscsi
