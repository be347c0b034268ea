#include "master/namespace/directory.h"

#include <functional>

namespace elk::master {

namespace {
size_t HashName(std::string_view name) {
  return std::hash<std::string_view>{}(name);
}
}  // namespace

long Directory::FindSlot(std::string_view name) const {
  if (index_.empty()) return -1;
  const size_t mask = index_.size() - 1;
  for (size_t i = HashName(name) & mask;; i = (i + 1) & mask) {
    uint32_t v = index_[i];
    if (v == 0) return -1;
    const Entry& e = entries_[v - 1];
    if (e.inode != 0 && NameAt(e.name_off) == name) return static_cast<long>(i);
  }
}

InodeId Directory::Find(std::string_view name) const {
  long slot = FindSlot(name);
  return slot < 0 ? 0 : entries_[index_[static_cast<size_t>(slot)] - 1].inode;
}

void Directory::Index(uint32_t pos) {
  const size_t mask = index_.size() - 1;
  std::string_view name = NameAt(entries_[pos].name_off);
  for (size_t i = HashName(name) & mask;; i = (i + 1) & mask) {
    uint32_t v = index_[i];
    // A slot naming a tombstone may be reused: the probe chain stays unbroken.
    if (v == 0 || entries_[v - 1].inode == 0) {
      index_[i] = pos + 1;
      return;
    }
  }
}

void Directory::Rebuild(size_t slots) {
  size_t n = 8;
  while (n < slots)
    n *= 2;
  index_.assign(n, 0);
  for (uint32_t pos = 0; pos < entries_.size(); ++pos) {
    if (entries_[pos].inode != 0) Index(pos);
  }
}

void Directory::Compact() {
  std::vector<Entry> entries;
  entries.reserve(live_);
  std::string names;
  for (const Entry& e : entries_) {
    if (e.inode == 0) continue;
    std::string_view name = NameAt(e.name_off);
    entries.push_back({e.seq, e.inode, static_cast<uint32_t>(names.size())});
    names.push_back(static_cast<char>(name.size()));
    names.append(name);
  }
  entries_ = std::move(entries);
  names_ = std::move(names);
  dead_ = 0;
  Rebuild(entries_.size() * 2);
}

void Directory::Add(std::string_view name, InodeId inode) {
  (void)Restore(name, inode, next_seq_);
}

bool Directory::Restore(std::string_view name, InodeId inode, uint64_t seq) {
  if (seq < next_seq_ || name.empty() || name.size() > 255) return false;
  next_seq_ = seq;
  // Keep the table at most 3/4 full, counting tombstones (they occupy slots).
  if ((entries_.size() + 1) * 4 > index_.size() * 3) {
    if (dead_ > live_) {
      Compact();
    } else {
      Rebuild((entries_.size() + 1) * 2);
    }
  }
  auto pos = static_cast<uint32_t>(entries_.size());
  entries_.push_back({next_seq_++, inode, static_cast<uint32_t>(names_.size())});
  names_.push_back(static_cast<char>(name.size()));
  names_.append(name);
  Index(pos);
  ++live_;
  return true;
}

bool Directory::Remove(std::string_view name) {
  long slot = FindSlot(name);
  if (slot < 0) return false;
  entries_[index_[static_cast<size_t>(slot)] - 1].inode = 0;
  --live_;
  ++dead_;
  if (live_ == 0) {
    // Keep next_seq_: cookies handed out before must not match new entries twice.
    entries_.clear();
    names_.clear();
    index_.clear();
    dead_ = 0;
  } else if (dead_ > 16 && dead_ > live_) {
    Compact();
  }
  return true;
}

bool Directory::Retarget(std::string_view name, InodeId inode) {
  long slot = FindSlot(name);
  if (slot < 0) return false;
  entries_[index_[static_cast<size_t>(slot)] - 1].inode = inode;
  return true;
}

size_t Directory::MemoryBytes() const {
  return sizeof(*this) + entries_.capacity() * sizeof(Entry) + names_.capacity() +
         index_.capacity() * sizeof(uint32_t);
}

}  // namespace elk::master
