// mfscli: the master's state for people and scripts, read from its HTTP monitor. See
// docs/monitor.md.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "master/cli/fetch.h"
#include "master/cli/options.h"
#include "master/cli/sections.h"

namespace {

// Prints every asked section; 1 on the first one that cannot be read.
int Run(const elk::cli::Options& o) {
  nlohmann::json all = nlohmann::json::object();
  std::string text;
  const auto sections = elk::cli::LeafSections(o.sections);
  for (const elk::cli::Section* section : sections) {
    auto j = elk::cli::FetchSection(o.host, o.port, section->api, o.timeout_seconds);
    if (!j.ok()) {
      std::fprintf(stderr, "mfscli: %s\n", j.status().message().c_str());
      return 1;
    }
    if (o.json) {
      all[section->api] = *j;
    } else {
      const bool headings = sections.size() > 1 && o.separator.empty();
      if (headings) text += "== " + section->title + "\n";
      text += section->render(*j, {.plain_numbers = o.plain_numbers, .separator = o.separator});
      if (headings) text += "\n";
    }
  }
  if (o.json) {
    // One section: its object as the monitor serves it; several: keyed by section name.
    text = (sections.size() == 1 ? all.begin().value() : all).dump(2) + "\n";
  }
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = elk::cli::ParseOptions(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "mfscli: %s\n%s", options.status().message().c_str(),
                 elk::cli::Usage().c_str());
    return 2;
  }
  if (options->help) {
    std::fputs(elk::cli::Usage().c_str(), stdout);
    return 0;
  }
  return Run(*options);
}
