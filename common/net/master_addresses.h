#pragma once
// Where a client of the master (chunkserver, metalogger, mount, tools, mfsvolume, mfsiscsid)
// looks for it: MASTER_HOST as a list of masters, and the order they are tried in.
//
//   MASTER_HOST = master-a, master-b:9521 10.0.0.7
//
// Entries are separated by commas and/or spaces; each is HOST or HOST:PORT, the port
// defaulting to the component's MASTER_PORT. A name may resolve to several IPv4 addresses:
// each is a master to try. A round tries the master last reached first (a leader is
// usually still the leader), then every entry in order; a follower's "the leader is
// HOST:PORT" is tried next, before the rest of the round. A client connects to the first
// that accepts it as a leader and starts a new round when it loses it. See docs/config.md.
//
//   auto list = net::MasterAddresses::Parse(config.master_host, config.master_port);
//   list->Restart();
//   while (!list->RoundDone()) { auto t = list->Next(); ... connect to t->address ... }

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/net/address.h"
#include "common/status.h"

namespace elk::net {

// One entry as written: a name or a dotted quad, and its port.
struct MasterEntry {
  std::string host;
  uint16_t port = 0;

  friend bool operator==(const MasterEntry&, const MasterEntry&) = default;
};

// Splits and checks the text without resolving names (a config file is checked offline).
// Errors name the entry and the reason: "'a:b' has a bad port", "'' ... is empty".
Result<std::vector<MasterEntry>> ParseMasterList(std::string_view text, uint16_t default_port);

// "host:port, host:port": the entries as the messages show them.
std::string FormatMasterList(const std::vector<MasterEntry>& entries);

// Every IPv4 address of host (a dotted quad is its own), in the resolver's order, once each.
Result<std::vector<uint32_t>> ResolveAllIpv4(std::string_view host);

// One master to try: its name as written (for messages) and where to connect.
struct MasterTarget {
  std::string host;
  Address address;
  bool redirected = false;  // named by a follower, not by the list
};

class MasterAddresses {
 public:
  MasterAddresses() = default;
  explicit MasterAddresses(std::vector<MasterEntry> entries) : entries_(std::move(entries)) {}
  static Result<MasterAddresses> Parse(std::string_view text, uint16_t default_port);

  const std::vector<MasterEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  std::string ToString() const { return FormatMasterList(entries_); }

  // Starts a round: every entry is resolved again (names move), the master last reached
  // goes first. Names that do not resolve are left out (unresolved() names them, for a log
  // line); an error only when the round is empty.
  Status Restart();
  const std::string& unresolved() const { return unresolved_; }
  // True when Next has nothing left this round (no redirect pending, every address given).
  bool RoundDone() const;
  // The next master: a pending redirect first, else the round's next address. kNotFound
  // when the round is done (the redirect's name may fail to resolve: its error).
  Result<MasterTarget> Next();
  // A follower answered "the leader is host:port": that is tried next, once.
  void Redirect(std::string host, uint16_t port);
  // The master that accepted us: the next round starts with it.
  void Reached(const MasterTarget& target) {
    reached_ = target;
    last_.reset();
  }
  void Forget() { reached_.reset(); }
  // This master stopped answering (paused, or cut off): rounds try it after every other
  // address until a master is reached.
  void TryLast(const Address& address) { last_ = address; }

 private:
  std::vector<MasterEntry> entries_;
  std::vector<MasterTarget> round_;
  size_t next_ = 0;
  std::optional<MasterEntry> redirect_;
  std::optional<MasterTarget> reached_;
  std::optional<Address> last_;
  std::string unresolved_;
};

}  // namespace elk::net
