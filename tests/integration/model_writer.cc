#include "tests/integration/model_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>

#include "tests/harness/poll.h"

namespace elk::test {

namespace {

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

}  // namespace

void ModelWriter::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ModelWriter::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::string ModelWriter::error() {
  std::lock_guard lock(mu_);
  return error_;
}

std::map<std::string, std::string> ModelWriter::model() {
  std::lock_guard lock(mu_);
  return model_;
}

void ModelWriter::Run() {
  std::mt19937 rng(seed_);
  for (uint64_t i = 0; !stop_; ++i) {
    std::string e = Step(rng, i);
    if (!e.empty()) {
      std::lock_guard lock(mu_);
      error_ = e;
      return;
    }
    done_.fetch_add(1);
  }
}

// One operation: mostly new files, some renamed over or removed. Only this thread changes
// the model, so it reads it without the lock.
std::string ModelWriter::Step(std::mt19937& rng, uint64_t i) {
  const int kind = static_cast<int>(rng() % 10);
  if (kind == 0 && !model_.empty()) return Remove(model_.begin()->first);
  if (kind == 1 && !model_.empty()) return Rename(std::prev(model_.end())->first, i);
  std::string data(1000 + rng() % 200000, static_cast<char>('a' + i % 26));
  data.replace(0, std::min(data.size(), size_t{20}), std::to_string(i));
  return Create("f" + std::to_string(i), data);
}

std::string ModelWriter::Create(const std::string& name, const std::string& data) {
  const std::string path = dir_ + "/" + name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create " + name);
  if (::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) {
    std::string e = Errno("write " + name);
    ::close(fd);
    return e;
  }
  if (::close(fd) != 0) return Errno("close " + name);
  std::lock_guard lock(mu_);
  model_[name] = data;
  return "";
}

std::string ModelWriter::Remove(const std::string& name) {
  if (::unlink((dir_ + "/" + name).c_str()) != 0) return Errno("unlink " + name);
  std::lock_guard lock(mu_);
  model_.erase(name);
  return "";
}

std::string ModelWriter::Rename(const std::string& from, uint64_t i) {
  const std::string to = "r" + std::to_string(i);
  if (::rename((dir_ + "/" + from).c_str(), (dir_ + "/" + to).c_str()) != 0) {
    return Errno("rename " + from + " to " + to);
  }
  std::lock_guard lock(mu_);
  model_[to] = std::move(model_[from]);
  model_.erase(from);
  return "";
}

std::map<std::string, std::string> Tree(const std::string& dir) {
  std::map<std::string, std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    out[name] = ReadWholeFile(dir + "/" + name);
  }
  ::closedir(d);
  return out;
}

std::string Differences(const std::map<std::string, std::string>& want,
                        const std::map<std::string, std::string>& got) {
  std::string out;
  for (const auto& [name, data] : want) {
    auto it = got.find(name);
    if (it == got.end()) {
      out += "missing " + name + "\n";
    } else if (it->second != data) {
      out += name + ": " + std::to_string(it->second.size()) + " bytes, the model has " +
             std::to_string(data.size()) + "\n";
    }
  }
  for (const auto& [name, data] : got)
    if (!want.contains(name)) out += "not in the model: " + name + "\n";
  return out;
}

}  // namespace elk::test
