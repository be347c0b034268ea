#pragma once
// One directory's entries. Entries sit in insertion order, each with a sequence number
// that never changes while the entry exists; removal leaves a tombstone that is swept
// out in bulk later. A readdir cookie is a sequence number, so a listing that resumes
// after entries came and went still returns every entry that stayed exactly once.
// Names are stored once, in a per-directory byte arena; an open-addressing table of
// entry positions finds them by name.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "master/namespace/types.h"

namespace elk::master {

class Directory {
 public:
  // The inode named `name`, or 0.
  InodeId Find(std::string_view name) const;
  // Adds an entry; the caller has checked that the name is free.
  void Add(std::string_view name, InodeId inode);
  // Removes the entry; false if there is none.
  bool Remove(std::string_view name);
  // Loading an image: adds an entry with its saved sequence number (which must exceed every
  // earlier one; false otherwise), and restores the next number to hand out.
  bool Restore(std::string_view name, InodeId inode, uint64_t seq);
  void set_next_seq(uint64_t seq) { next_seq_ = seq; }
  // Points an existing entry at another inode, keeping its place in listings.
  bool Retarget(std::string_view name, InodeId inode);

  uint32_t size() const { return live_; }
  bool empty() const { return live_ == 0; }
  uint64_t next_seq() const { return next_seq_; }

  // Calls fn(name, inode, seq) for live entries with seq >= from, in order, until fn
  // returns false.
  template <typename Fn>
  void ForEachFrom(uint64_t from, Fn&& fn) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), from,
                               [](const Entry& e, uint64_t s) { return e.seq < s; });
    for (; it != entries_.end(); ++it) {
      if (it->inode == 0) continue;
      if (!fn(NameAt(it->name_off), it->inode, it->seq)) return;
    }
  }
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    ForEachFrom(0, [&fn](std::string_view n, InodeId i, uint64_t) {
      fn(n, i);
      return true;
    });
  }

  // The directory's own name in its parent, for building paths upwards.
  const std::string& name() const { return name_; }
  void set_name(std::string_view name) { name_.assign(name); }

  size_t MemoryBytes() const;

 private:
  struct Entry {
    uint64_t seq;
    InodeId inode;  // 0: tombstone
    uint32_t name_off;
  };

  std::string_view NameAt(uint32_t off) const {
    return {names_.data() + off + 1, static_cast<unsigned char>(names_[off])};
  }
  // The index slot holding the live entry named `name`, or -1.
  long FindSlot(std::string_view name) const;
  void Rebuild(size_t slots);
  void Compact();
  void Index(uint32_t pos);

  std::vector<Entry> entries_;
  std::string names_;            // each name: one length byte, then its bytes
  std::vector<uint32_t> index_;  // entry position + 1; 0 is an empty slot
  uint32_t live_ = 0;
  uint32_t dead_ = 0;
  uint64_t next_seq_ = 0;
  std::string name_;
};

}  // namespace elk::master
