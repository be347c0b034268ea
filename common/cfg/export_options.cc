#include "common/cfg/export_options.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <iterator>

#include "common/cfg/text_util.h"
#include "common/cfg/value_parse.h"

namespace elk::cfg {
namespace {

Status Bad(std::string message) {
  return Status(Code::kBadConfig, std::move(message));
}

bool IsNumber(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Result<uint32_t> ParseId(std::string_view text) {
  auto value = ParseInteger(text);
  if (!value.ok() || *value < 0 || *value > UINT32_MAX)
    return Bad(fmt::format("bad id '{}'", text));
  return static_cast<uint32_t>(*value);
}

// USER[:GROUP], each a name or a number. Without a group, the user's primary group.
Result<UserIds> ParseUserGroup(std::string_view option, std::string_view text,
                               const IdResolver& ids) {
  size_t colon = text.find(':');
  std::string_view user = text.substr(0, colon);
  std::optional<UserIds> found;
  if (IsNumber(user)) {
    auto uid = ParseId(user);
    if (!uid.ok()) return uid.status();
    found = ids.user_by_id ? ids.user_by_id(*uid) : std::nullopt;
    if (!found && colon != std::string_view::npos) found = UserIds{*uid, 0};
  } else if (!user.empty() && ids.user_by_name) {
    found = ids.user_by_name(user);
  }
  if (!found) return Bad(fmt::format("{}: unknown user '{}'", option, user));
  if (colon == std::string_view::npos) return *found;
  std::string_view group = text.substr(colon + 1);
  if (IsNumber(group)) {
    auto gid = ParseId(group);
    if (!gid.ok()) return gid.status();
    found->gid = *gid;
    return *found;
  }
  std::optional<uint32_t> gid;
  if (!group.empty() && ids.group_by_name) gid = ids.group_by_name(group);
  if (!gid) return Bad(fmt::format("{}: unknown group '{}'", option, group));
  found->gid = *gid;
  return *found;
}

std::array<uint8_t, 16> Md5(std::string_view text) {
  std::array<uint8_t, 16> digest{};
  unsigned size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_md5(), nullptr);
  return digest;
}

Result<std::array<uint8_t, 16>> ParseHex32(std::string_view text) {
  if (text.size() != 32) return Bad("md5pass: expected 32 hex digits");
  std::array<uint8_t, 16> digest{};
  for (size_t i = 0; i < 16; ++i) {
    unsigned byte = 0;
    for (size_t j = 0; j < 2; ++j) {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i * 2 + j])));
      int nibble = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                   : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                                                               : -1;
      if (nibble < 0) return Bad("md5pass: expected 32 hex digits");
      byte = byte * 16 + static_cast<unsigned>(nibble);
    }
    digest[i] = static_cast<uint8_t>(byte);
  }
  return digest;
}

Result<uint32_t> ParseGoal(std::string_view option, std::string_view text) {
  auto value = ParseInteger(text);
  if (!value.ok() || *value < 1 || *value > 9)
    return Bad(fmt::format("{}: '{}' is not a goal 1..9", option, text));
  return static_cast<uint32_t>(*value);
}

Result<uint32_t> ParseTrashTime(std::string_view option, std::string_view text) {
  auto value = ParseDuration(text);
  if (!value.ok()) return Bad(fmt::format("{}: {}", option, value.status().message()));
  if (*value > UINT32_MAX) return Bad(fmt::format("{}: '{}' is too long", option, text));
  return static_cast<uint32_t>(*value);
}

// "3", "3.0", "1.6.27": MooseFS's minversion.
Result<std::string> ParseVersion(std::string_view text) {
  int parts = 0;
  for (std::string_view rest = text; parts < 4;) {
    size_t dot = rest.find('.');
    if (!IsNumber(rest.substr(0, dot))) break;
    ++parts;
    if (dot == std::string_view::npos) return std::string(text);
    rest = rest.substr(dot + 1);
  }
  return Bad(fmt::format("minversion: '{}' is not a version X[.Y[.Z]]", text));
}

// MooseFS options ElkFS has no feature for: ignoring these narrows nothing.
Status ApplyMooseFsOnly(std::string_view name, std::optional<std::string_view> value,
                        ExportOptions& o, std::vector<std::string>* notes) {
  auto note = [&](std::string text) {
    if (notes != nullptr) notes->push_back(std::move(text));
    return Status::Ok();
  };
  if (name == "canchangequota") {
    o.admin = true;
    return note("canchangequota: read as admin; ElkFS has no quotas to change");
  }
  if (name == "nonrootmeta") {
    o.nonrootmeta = true;
    return Status::Ok();  // ElkFS lets every user of a meta mount in already
  }
  if (name == "minversion") {
    if (!value || value->empty()) return Bad("option 'minversion' needs a value");
    auto version = ParseVersion(*value);
    if (!version.ok()) return version.status();
    o.minversion = *version;
    return note(fmt::format(
        "minversion={}: not checked; a client is refused unless it speaks this master's "
        "protocol version (its hello), which no client older than the master does",
        *value));
  }
  if (name == "umask" || name == "disable") {
    return Bad(
        fmt::format("option '{}' (MooseFS 4) restricts what clients may do and ElkFS "
                    "cannot enforce it yet; remove it to run without the restriction",
                    name));
  }
  return Bad(fmt::format("unknown option '{}'", name));
}

// Applies one "name" or "name=value" option.
Status ApplyOption(std::string_view name, std::optional<std::string_view> value,
                   const IdResolver& ids, ExportOptions& o, std::vector<std::string>* notes) {
  auto flag = [&](bool& field, bool on) -> Status {
    if (value) return Bad(fmt::format("option '{}' takes no value", name));
    field = on;
    return Status::Ok();
  };
  auto need = [&]() -> Status {
    if (!value || value->empty()) return Bad(fmt::format("option '{}' needs a value", name));
    return Status::Ok();
  };
  if (name == "ro" || name == "readonly") return flag(o.readonly, true);
  if (name == "rw" || name == "readwrite") return flag(o.readonly, false);
  if (name == "alldirs") return flag(o.alldirs, true);
  if (name == "dynamicip") return flag(o.dynamicip, true);
  if (name == "ignoregid") return flag(o.ignoregid, true);
  if (name == "admin") return flag(o.admin, true);
  static constexpr std::string_view kValued[] = {"maproot",      "mapall",      "password",
                                                 "md5pass",      "mingoal",     "maxgoal",
                                                 "mintrashtime", "maxtrashtime"};
  if (std::find(std::begin(kValued), std::end(kValued), name) == std::end(kValued))
    return ApplyMooseFsOnly(name, value, o, notes);
  ELK_RETURN_IF_ERROR(need());
  if (name == "maproot" || name == "mapall") {
    auto ids_or = ParseUserGroup(name, *value, ids);
    if (!ids_or.ok()) return ids_or.status();
    (name == "maproot" ? o.maproot : o.mapall.emplace()) = *ids_or;
    return Status::Ok();
  }
  if (name == "password") {
    o.password_md5 = Md5(*value);
    return Status::Ok();
  }
  if (name == "md5pass") {
    auto digest = ParseHex32(*value);
    if (!digest.ok()) return digest.status();
    o.password_md5 = *digest;
    return Status::Ok();
  }
  if (name == "mingoal" || name == "maxgoal") {
    auto goal = ParseGoal(name, *value);
    if (!goal.ok()) return goal.status();
    (name == "mingoal" ? o.mingoal : o.maxgoal) = *goal;
    return Status::Ok();
  }
  if (name == "mintrashtime" || name == "maxtrashtime") {
    auto t = ParseTrashTime(name, *value);
    if (!t.ok()) return t.status();
    (name == "mintrashtime" ? o.mintrashtime : o.maxtrashtime) = *t;
    return Status::Ok();
  }
  return Bad(fmt::format("unknown option '{}'", name));
}

}  // namespace

Result<ExportOptions> ParseExportOptions(std::string_view text, const IdResolver& ids,
                                         std::vector<std::string>* notes) {
  ExportOptions options;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.empty()) return Bad("empty option");
    size_t eq = item.find('=');
    std::optional<std::string_view> value;
    if (eq != std::string_view::npos) value = item.substr(eq + 1);
    ELK_RETURN_IF_ERROR(ApplyOption(item.substr(0, eq), value, ids, options, notes));
  }
  if (options.mingoal > options.maxgoal)
    return Bad(fmt::format("mingoal {} is above maxgoal {}", options.mingoal, options.maxgoal));
  if (options.mintrashtime > options.maxtrashtime)
    return Bad(fmt::format("mintrashtime {} is above maxtrashtime {}", options.mintrashtime,
                           options.maxtrashtime));
  return options;
}

}  // namespace elk::cfg
