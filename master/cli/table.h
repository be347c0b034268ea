#pragma once
// Plain-text tables for mfscli: columns padded to their widest cell, numbers aligned right,
// text left; one header line and a rule under it. Easy to read and to cut with awk.

#include <string>
#include <vector>

namespace elk::cli {

struct Table {
  std::vector<std::string> head;
  std::vector<std::vector<std::string>> rows;
};

std::string FormatTable(const Table& t);
// True when the cell reads as a number ("12", "-3", "1.5", "12.0 GiB", "45.2%").
bool LooksNumeric(const std::string& cell);

}  // namespace elk::cli
