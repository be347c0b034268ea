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
  // -p (tab) or -s SEP: parsable rows, the cells joined by this, no heading or padding.
  std::string separator;
};

struct Table;
// A table as the format asks: padded columns, or separator-joined rows.
std::string Emit(const Table& t, const Format& f);

struct Section {
  std::string code;   // "CS" for -SCS
  std::string api;    // "chunkservers" for /api/v1/chunkservers
  std::string title;  // for the usage text and the heading
  std::function<std::string(const nlohmann::json&, const Format&)> render;
  // A section made of others (-SIN: IG and IC, as MooseFS's full master info); empty api.
  std::vector<std::string> parts;
};

const std::vector<Section>& Sections();
const Section* FindSection(std::string_view code);
// The sections that read the monitor, in order, each once: a composite gives its parts.
std::vector<const Section*> LeafSections(const std::vector<std::string>& codes);

}  // namespace elk::cli
