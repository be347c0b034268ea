#pragma once
// The keys a program knows: name, type, default and allowed range. A ConfigFile checks
// every line against it.
//
//   cfg::Schema schema{
//       cfg::Key::Integer("CHUNKS_LOOP_TIME", 300, 1, 7200),
//       cfg::Key::Size("HDD_LEAVE_SPACE_DEFAULT", "256MiB"),
//       cfg::Key::Port("MATOCS_LISTEN_PORT", 9420),
//   };

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace elk::cfg {

enum class KeyType {
  kString,
  kInteger,
  kSize,
  kBool,
  kDuration,
  kDouble,
  kHost,
  kPort,
  kMode,
  kMasterList,  // MASTER_HOST: masters, comma/space-separated, HOST[:PORT] each
};

std::string_view KeyTypeName(KeyType type);

// A parsed value. Integers, durations (seconds), ports and modes are int64_t; sizes are
// uint64_t.
using Value = std::variant<std::string, int64_t, uint64_t, bool, double>;

struct Key {
  std::string name;
  KeyType type = KeyType::kString;
  std::string default_text;  // parsed with the same rules as a value in the file
  // Inclusive bounds for integers, sizes, durations and doubles.
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  // Other names the key had in MooseFS (MATOCU_LISTEN_PORT for MATOCL_LISTEN_PORT); a
  // file may use either, the value is stored under `name`.
  std::vector<std::string> aliases;
  // A key that narrows access (AUTH_CODE, a listen address): a bad line naming it stops
  // the program instead of being skipped, since the default would widen access.
  bool guards_access = false;
  // MooseFS 3 writes some limits as a list ("2,1,1,4", one per kind of work); ElkFS has
  // one limit and takes the first number, warning that the rest are ignored.
  bool first_of_list = false;

  Key WithAlias(std::string alias) &&;
  Key GuardsAccess() &&;
  Key FirstOfList() &&;

  static Key String(std::string name, std::string def);
  static Key Integer(std::string name, int64_t def, int64_t min = INT64_MIN,
                     int64_t max = INT64_MAX);
  static Key Size(std::string name, std::string def, uint64_t min = 0, uint64_t max = UINT64_MAX);
  static Key Bool(std::string name, bool def);
  static Key Duration(std::string name, int64_t def_seconds, int64_t min = 0,
                      int64_t max = INT64_MAX);
  static Key Double(std::string name, double def, double min, double max);
  static Key Host(std::string name, std::string def);
  // A list of masters (common/net/master_addresses.h), kept as written; it guards access
  // (whatever answers there is trusted as the master), so a bad value refuses the file.
  static Key MasterList(std::string name, std::string def);
  static Key Port(std::string name, uint16_t def);
  static Key Mode(std::string name, uint32_t def);
};

// Parses text as a value of key's type and checks its range. The message is the reason
// alone: "'abc' is not an integer", "'0' is below the minimum 1".
Result<Value> ParseValue(const Key& key, std::string_view text);

class Schema {
 public:
  Schema() = default;
  Schema(std::initializer_list<Key> keys);

  // Adds a key, replacing one of the same name (a program may override a common default).
  void Add(Key key);
  // Adds the keys of other that this schema does not have.
  void Merge(const Schema& other);

  // By name or by alias.
  const Key* Find(std::string_view name) const;
  const std::vector<Key>& keys() const { return keys_; }

  // Every default must parse; a schema that fails this is a programming error.
  Status Check() const;

 private:
  std::vector<Key> keys_;
};

}  // namespace elk::cfg
