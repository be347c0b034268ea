#pragma once
// Progress of long work in the log: "loading the metadata image: 40% (4.2 M of 10.5 M
// bytes)" each time the work crosses a tenth, so an operator watching a master load a large
// image, mfsmetarestore replay a long changelog or a tool walk a large tree sees it move.
// Work smaller than `min_total` stays quiet. Update() is a comparison when no tenth is
// crossed, so it can sit in a tight loop.
//
//   log::Progress p("saving the metadata image", nodes, "nodes", 1'000'000);
//   for (...) p.Update(++done);
//   p.Done();

#include <cstdint>
#include <string>

namespace elk::log {

class Progress {
 public:
  Progress(std::string what, uint64_t total, std::string unit, uint64_t min_total);
  void Update(uint64_t done) {
    if (done >= next_) Report(done);
  }
  void Done();

  // What Update logs at `done`, or "" between tenths; for tests.
  std::string Line(uint64_t done) const;

 private:
  void Report(uint64_t done);

  std::string what_, unit_;
  uint64_t total_;
  uint64_t next_;  // the next `done` worth a line
  bool quiet_;
};

// For work whose total is unknown in advance: a line every `every` units.
class Counter {
 public:
  Counter(std::string what, std::string unit, uint64_t every)
      : what_(std::move(what)), unit_(std::move(unit)), every_(every), next_(every) {}
  void Update(uint64_t done) {
    if (done >= next_) Report(done);
  }

 private:
  void Report(uint64_t done);
  std::string what_, unit_;
  uint64_t every_, next_;
};

}  // namespace elk::log
