#pragma once
// The application of the fail-over tests: a thread that creates, writes, closes, renames
// and removes files in one folder of a mount without pause, and keeps a model of every
// operation it was told succeeded. At the end the folder must equal the model: an
// operation acknowledged and then lost, or done twice, shows as a difference.

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace elk::test {

// Operations through the mount, each recorded in the model only once its system call
// returned success. The first error stops it (error() then says which call and why).
class ModelWriter {
 public:
  explicit ModelWriter(std::string dir, uint32_t seed = 20261207)
      : dir_(std::move(dir)), seed_(seed) {}
  ~ModelWriter() { Stop(); }
  ModelWriter(const ModelWriter&) = delete;
  ModelWriter& operator=(const ModelWriter&) = delete;

  void Start();
  void Stop();
  // Operations acknowledged so far.
  uint64_t done() const { return done_.load(); }
  std::string error();
  std::map<std::string, std::string> model();

 private:
  void Run();
  std::string Step(std::mt19937& rng, uint64_t i);
  std::string Create(const std::string& name, const std::string& data);
  std::string Remove(const std::string& name);
  std::string Rename(const std::string& from, uint64_t i);

  const std::string dir_;
  const uint32_t seed_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> done_{0};
  std::mutex mu_;
  std::string error_;
  std::map<std::string, std::string> model_;
};

// Every regular file of `dir` (not recursive) with its bytes.
std::map<std::string, std::string> Tree(const std::string& dir);

// What differs between the model and the tree, one line each; empty when they are equal.
std::string Differences(const std::map<std::string, std::string>& want,
                        const std::map<std::string, std::string>& got);

}  // namespace elk::test
