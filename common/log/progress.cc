#include "common/log/progress.h"

#include <fmt/format.h>

#include "common/log/log.h"

namespace elk::log {

namespace {

std::string Amount(uint64_t n) {
  if (n >= 10'000'000'000ULL) return fmt::format("{:.1f} G", static_cast<double>(n) / 1e9);
  if (n >= 10'000'000ULL) return fmt::format("{:.1f} M", static_cast<double>(n) / 1e6);
  return fmt::format("{}", n);
}

}  // namespace

Progress::Progress(std::string what, uint64_t total, std::string unit, uint64_t min_total)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      total_(total),
      next_(total / 10 == 0 ? 1 : total / 10),
      quiet_(total < min_total) {
  if (quiet_) next_ = UINT64_MAX;
}

std::string Progress::Line(uint64_t done) const {
  if (total_ == 0) return {};
  const uint64_t pct = done >= total_ ? 100 : done * 100 / total_;
  return fmt::format("{}: {}% ({} of {} {})", what_, pct, Amount(done), Amount(total_), unit_);
}

void Progress::Report(uint64_t done) {
  Info("{}", Line(done));
  const uint64_t step = total_ / 10 == 0 ? 1 : total_ / 10;
  next_ = (done / step + 1) * step;
  if (next_ >= total_) next_ = UINT64_MAX;  // 100% is said by Done()
}

void Progress::Done() {
  if (!quiet_) Info("{}", Line(total_));
  next_ = UINT64_MAX;
}

void Counter::Report(uint64_t done) {
  Info("{}: {} {}", what_, Amount(done), unit_);
  next_ = (done / every_ + 1) * every_;
}

}  // namespace elk::log
