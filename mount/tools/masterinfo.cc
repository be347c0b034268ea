#include "mount/tools/masterinfo.h"

#include <fmt/format.h>

#include <charconv>
#include <set>

namespace elk::tools {
namespace {

Status Bad(std::string_view why) {
  return Status(Code::kCorruption, fmt::format(".masterinfo: {}", why));
}

template <typename T>
bool ParseUnsigned(std::string_view s, T* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "host:port"; the host may be a bracketed IPv6 address.
Status ParseAddress(std::string_view value, MasterInfo* info) {
  size_t colon = value.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Bad("master must be host:port");
  std::string_view host = value.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  uint16_t port = 0;
  if (host.empty() || !ParseUnsigned(value.substr(colon + 1), &port) || port == 0) {
    return Bad(fmt::format("bad master address '{}'", value));
  }
  info->host = std::string(host);
  info->port = port;
  return Status::Ok();
}

bool ParseHexByte(std::string_view two, unsigned* out) {
  if (two.size() != 2) return false;
  unsigned v = 0;
  for (char c : two) {
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= static_cast<unsigned>(c - '0');
    } else if (c >= 'A' && c <= 'F') {
      v |= static_cast<unsigned>(c - 'A' + 10);
    } else if (c >= 'a' && c <= 'f') {
      v |= static_cast<unsigned>(c - 'a' + 10);
    } else {
      return false;
    }
  }
  *out = v;
  return true;
}

// Bytes up to space and '%' as %XX, so a folder stays one word.
std::string EncodeFolder(std::string_view folder) {
  std::string out;
  for (char c : folder) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || c == '%' || u == 0x7f) {
      out += fmt::format("%{:02X}", u);
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::string> DecodeFolder(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned v = 0;
    if (i + 2 >= text.size() || !ParseHexByte(text.substr(i + 1, 2), &v)) {
      return Bad(fmt::format("bad folder '{}'", text));
    }
    out += static_cast<char>(v);
    i += 2;
  }
  if (out.empty() || out[0] != '/') return Bad(fmt::format("bad folder '{}'", text));
  return out;
}

Status ApplyKey(std::string_view key, std::string_view value, MasterInfo* info) {
  if (key == "master") return ParseAddress(value, info);
  if (key == "session") {
    if (!ParseUnsigned(value, &info->session_id)) return Bad("bad session id");
  } else if (key == "version") {
    info->version = std::string(value);
  } else if (key == "folder") {
    auto folder = DecodeFolder(value);
    if (!folder.ok()) return folder.status();
    info->folder = std::move(*folder);
  } else if (key == "root_inode") {
    if (!ParseUnsigned(value, &info->root_inode) || info->root_inode == 0) {
      return Bad("bad root_inode");
    }
  }
  return Status::Ok();
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

Result<MasterInfo> ParseMasterInfo(std::string_view text) {
  MasterInfo info;
  std::set<std::string, std::less<>> seen;
  size_t pos = 0;
  while (pos < text.size()) {
    if (IsSpace(text[pos])) {
      ++pos;
      continue;
    }
    size_t end = pos;
    while (end < text.size() && !IsSpace(text[end]))
      ++end;
    std::string_view word = text.substr(pos, end - pos);
    pos = end;
    size_t eq = word.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Bad(fmt::format("expected key=value, got '{}'", word));
    }
    std::string_view key = word.substr(0, eq);
    if (!seen.emplace(key).second) return Bad(fmt::format("key '{}' given twice", key));
    ELK_RETURN_IF_ERROR(ApplyKey(key, word.substr(eq + 1), &info));
  }
  if (!seen.contains("master")) return Bad("no master address");
  if (!seen.contains("session")) return Bad("no session id");
  return info;
}

std::string FormatMasterInfo(const MasterInfo& info) {
  bool v6 = info.host.find(':') != std::string::npos;
  std::string host = v6 ? fmt::format("[{}]", info.host) : info.host;
  std::string out = fmt::format("master={}:{} session={}", host, info.port, info.session_id);
  if (!info.version.empty()) out += fmt::format(" version={}", info.version);
  out += fmt::format(" root_inode={}", info.root_inode);
  if (info.folder != "/") out += fmt::format(" folder={}", EncodeFolder(info.folder));
  out += '\n';
  return out;
}

}  // namespace elk::tools
