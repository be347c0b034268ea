#pragma once
// A "still working" line for the recursive tools. The master walks a tree in one request
// (mfssetgoal -r, mfsdirinfo, mfsmakesnapshot, ...), so a tool cannot know how far it has
// got: it shows what it honestly can, a spinner and the time waited so far, and only on a
// terminal. Nothing is written when the fd is not a TTY (pipes, files, scripts), and never
// to stdout, whose bytes must stay MooseFS's.
//
//   {
//     ProgressLine line(env.progress_fd, path + ": the master is walking the tree");
//     auto counts = backend.SetGoal(...);
//   }  // the line is erased here, before any output
//
// The line appears only after `delay`, so quick requests leave no trace even on a terminal.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace elk::tools {

struct ProgressLineOptions {
  std::chrono::milliseconds delay{1000};
  std::chrono::milliseconds period{250};
};

class ProgressLine {
 public:
  // Does nothing when fd < 0 or fd is not a terminal.
  ProgressLine(int fd, std::string label, ProgressLineOptions options = {});
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool active() const { return thread_.joinable(); }

 private:
  void Run();
  void Write(const std::string& text) const;

  const int fd_;
  const std::string label_;
  const ProgressLineOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// "PATH: the master is walking the tree": the label of the line for one recursive request.
std::string WalkLabel(const std::string& path);

// "12s", "3m 05s": the time waited, as the line shows it.
std::string ElapsedText(std::chrono::seconds elapsed);

}  // namespace elk::tools
