#pragma once
// mfscli's sections: each names the monitor's JSON section it reads and turns that JSON into
// text tables. Missing fields print as "-", so an older or newer master still prints.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace elk::cli {

struct Format {
  bool plain_numbers = false;  // -n
};

struct Section {
  std::string code;   // "CS" for -SCS
  std::string api;    // "chunkservers" for /api/v1/chunkservers
  std::string title;  // for the usage text and the heading
  std::function<std::string(const nlohmann::json&, const Format&)> render;
};

const std::vector<Section>& Sections();
const Section* FindSection(std::string_view code);

}  // namespace elk::cli
