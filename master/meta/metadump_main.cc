// mfsmetadump IMAGE: prints a metadata image as text (the namespace dump, then the chunks).

#include <fmt/format.h>

#include <cstdio>
#include <string_view>

#include "master/meta/restore.h"

int main(int argc, char** argv) {
  if (argc != 2 || std::string_view(argv[1]) == "-h") {
    fmt::print(stderr, "usage: {} IMAGE\n", argv[0]);
    return 2;
  }
  auto text = elk::master::DumpImage(argv[1]);
  if (!text.ok()) {
    fmt::print(stderr, "mfsmetadump: {}\n", text.status().ToString());
    return 1;
  }
  fmt::print("{}", *text);
  return 0;
}
