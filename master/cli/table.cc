#include "master/cli/table.h"

#include <algorithm>
#include <cctype>

namespace elk::cli {

bool LooksNumeric(const std::string& cell) {
  if (cell.empty()) return false;
  size_t i = cell[0] == '-' ? 1 : 0;
  if (i >= cell.size() || !std::isdigit(static_cast<unsigned char>(cell[i]))) return false;
  // Digits and a point, then at most a unit: "12", "1.5 GiB", "45.2%".
  while (i < cell.size() && (std::isdigit(static_cast<unsigned char>(cell[i])) || cell[i] == '.'))
    i++;
  std::string rest = cell.substr(i);
  return rest.empty() || rest == "%" || rest == " B" || rest == " KiB" || rest == " MiB" ||
         rest == " GiB" || rest == " TiB" || rest == " PiB" || rest == " EiB";
}

std::string FormatTable(const Table& t) {
  std::vector<size_t> width(t.head.size(), 0);
  for (size_t c = 0; c < t.head.size(); c++)
    width[c] = t.head[c].size();
  for (const auto& row : t.rows)
    for (size_t c = 0; c < row.size() && c < width.size(); c++)
      width[c] = std::max(width[c], row[c].size());
  // A column of numbers is right-aligned, its heading too; a mixed column stays left.
  std::vector<bool> numeric(width.size(), !t.rows.empty());
  for (const auto& row : t.rows)
    for (size_t c = 0; c < row.size() && c < width.size(); c++)
      if (row[c] != "-" && !LooksNumeric(row[c])) numeric[c] = false;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < width.size(); c++) {
      std::string cell = c < cells.size() ? cells[c] : "";
      std::string pad(width[c] - std::min(width[c], cell.size()), ' ');
      out += (c ? "  " : "") + (numeric[c] ? pad + cell : cell + pad);
    }
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    return out + "\n";
  };
  std::string out = line(t.head);
  size_t total = 0;
  for (size_t w : width)
    total += w;
  out += std::string(total + 2 * (width.empty() ? 0 : width.size() - 1), '-') + "\n";
  for (const auto& row : t.rows)
    out += line(row);
  return out;
}

}  // namespace elk::cli
