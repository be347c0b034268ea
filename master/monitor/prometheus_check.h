#pragma once
// For tests: a strict line-by-line reader of Prometheus' text format (0.0.4), so the unit
// test and the whole-cluster test judge /metrics by the same rules. Each sample must belong
// to a family announced by "# HELP" and "# TYPE" lines before it; names and label names must
// be valid; label values must be properly quoted and escaped; values must parse as numbers.

#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

namespace elk::master::monitor::testing {

struct PromParse {
  std::string error;                         // empty: the text is valid
  std::map<std::string, double> samples;     // "name{labels}" -> value, as written
  std::map<std::string, std::string> types;  // family -> type
};

inline PromParse ParsePrometheus(const std::string& text) {
  static const std::regex kHelp(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
  static const std::regex kType(
      R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  static const std::regex kSample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? ([^ ]+)$)");
  PromParse out;
  std::set<std::string> helped;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  auto fail = [&](const std::string& why) {
    out.error = "line " + std::to_string(n) + ": " + why + ": " + line;
    return out;
  };
  while (std::getline(in, line)) {
    n++;
    std::smatch m;
    if (line.empty()) continue;
    if (std::regex_match(line, m, kHelp)) {
      helped.insert(m[1]);
    } else if (std::regex_match(line, m, kType)) {
      if (!helped.contains(m[1])) return fail("TYPE before HELP");
      out.types[m[1]] = m[2];
    } else if (std::regex_match(line, m, kSample)) {
      std::string family = m[1];
      if (out.types.find(family) == out.types.end()) return fail("sample of an unannounced family");
      std::string value = m[7];
      char* end = nullptr;
      (void)std::strtod(value.c_str(), &end);
      if (end == value.c_str() || *end != '\0') return fail("value is not a number");
      out.samples[family + std::string(m[2])] = std::strtod(value.c_str(), nullptr);
    } else {
      return fail("not a HELP, TYPE or sample line");
    }
  }
  if (!text.empty() && text.back() != '\n') {
    out.error = "the text does not end with a newline";
  }
  return out;
}

}  // namespace elk::master::monitor::testing
