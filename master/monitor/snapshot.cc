#include "master/monitor/snapshot.h"

#include <algorithm>

namespace elk::master::monitor {

void ChunkMatrix::Add(int goal, int valid_copies) {
  int g = std::clamp(goal, 0, kMaxGoal);
  int c = std::clamp(valid_copies, 0, kMaxCopiesColumn);
  cells[static_cast<size_t>(g)][static_cast<size_t>(c)]++;
}

namespace {

// Sums the cells of referenced chunks (goal >= 1) that satisfy pred(goal, copies).
template <typename Pred>
uint64_t SumWhere(const ChunkMatrix& m, Pred pred) {
  uint64_t n = 0;
  for (int g = 1; g <= kMaxGoal; g++) {
    for (int c = 0; c <= kMaxCopiesColumn; c++) {
      if (pred(g, c)) n += m.cells[static_cast<size_t>(g)][static_cast<size_t>(c)];
    }
  }
  return n;
}

}  // namespace

uint64_t ChunkMatrix::missing() const {
  return SumWhere(*this, [](int, int c) { return c == 0; });
}
uint64_t ChunkMatrix::endangered() const {
  return SumWhere(*this, [](int g, int c) { return g > 1 && c == 1; });
}
uint64_t ChunkMatrix::undergoal() const {
  return SumWhere(*this, [](int g, int c) { return c < g; });
}
uint64_t ChunkMatrix::overgoal() const {
  return SumWhere(*this, [](int g, int c) { return c > g; });
}
uint64_t ChunkMatrix::stable() const {
  return SumWhere(*this, [](int g, int c) { return c == g; });
}

uint64_t ChunkMatrix::unreferenced() const {
  uint64_t n = 0;
  for (uint64_t v : cells[0])
    n += v;
  return n;
}

uint64_t ChunkMatrix::total() const {
  uint64_t n = 0;
  for (const auto& row : cells)
    for (uint64_t v : row)
      n += v;
  return n;
}

std::string ChunkserverRow::state() const {
  if (!connected) return "lost";
  if (marked_for_removal) return "marked for removal";
  return "ok";
}

}  // namespace elk::master::monitor

namespace elk::master::monitor {

double DiskRow::scrub_percent() const {
  if (!scrub_on || scrub_total == 0) return -1;
  return 100.0 * std::min(scrub_done, scrub_total) / scrub_total;
}

}  // namespace elk::master::monitor
