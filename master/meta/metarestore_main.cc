// mfsmetarestore: rebuilds metadata.mfs from an image and changelogs (see docs/durability.md).
//   mfsmetarestore -m IMAGE -o OUT [CHANGELOG...]   (-m omitted: from changelogs alone)
//   mfsmetarestore -a [-d DIR]                      (newest image and every changelog in DIR)
//   mfsmetarestore -x IMAGE                         (print the image as text)

#include <fmt/format.h>
#include <getopt.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "master/meta/metadata.h"
#include "master/meta/restore.h"

namespace {

void Usage(const char* prog) {
  fmt::print(
      "usage: {0} [-m IMAGE] -o OUT CHANGELOG...\n"
      "       {0} -a [-d DIR]\n"
      "       {0} -x IMAGE\n"
      "  -m IMAGE  start from this metadata image (without: from an empty file system)\n"
      "  -o OUT    write the recovered image here\n"
      "  -a        automatic: newest image and all changelogs in DIR, result DIR/metadata.mfs\n"
      "  -d DIR    data folder for -a (default /var/lib/mfs)\n"
      "  -x IMAGE  print the image as text (the namespace and chunk dump)\n"
      "  -v        print the version\n"
      "  -h        this help\n",
      prog);
}

int Run(elk::master::RestoreOptions o, bool autom, const std::string& dir) {
  auto report = elk::master::RestoreMetadata(o, static_cast<uint32_t>(std::time(nullptr)));
  if (!report.ok()) {
    fmt::print(stderr, "mfsmetarestore: {}\n", report.status().ToString());
    return 1;
  }
  if (report->image.empty()) {
    fmt::print("no image: started from an empty file system\n");
  } else {
    fmt::print("loaded image {} version {}\n", report->image, report->image_version);
  }
  fmt::print("applied {} records, wrote {} version {}\n", report->applied, report->output,
             report->version);
  if (autom) ::unlink(elk::master::Metadata::RunningMarkerPath(dir).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  elk::master::RestoreOptions o;
  std::string dir = "/var/lib/mfs";
  std::string dump;
  bool autom = false;
  for (int i = 1; i < argc; ++i) {  // getopt takes no long options
    if (std::string(argv[i]) == "--help") {
      Usage(argv[0]);
      return 0;
    }
  }
  int c;
  while ((c = ::getopt(argc, argv, "m:o:ad:x:vh")) != -1) {
    switch (c) {
      case 'm':
        o.image = optarg;
        break;
      case 'o':
        o.output = optarg;
        break;
      case 'a':
        autom = true;
        break;
      case 'd':
        dir = optarg;
        break;
      case 'x':
        dump = optarg;
        break;
      case 'v':
        fmt::print("mfsmetarestore (ElkFS) 0.1\n");
        return 0;
      case 'h':
        Usage(argv[0]);
        return 0;
      default:
        Usage(argv[0]);
        return 2;
    }
  }
  if (!dump.empty()) {
    auto text = elk::master::DumpImage(dump);
    if (!text.ok()) {
      fmt::print(stderr, "mfsmetarestore: {}\n", text.status().ToString());
      return 1;
    }
    fmt::print("{}", *text);
    return 0;
  }
  if (autom) {
    auto found = elk::master::AutoRestoreOptions(dir);
    if (!found.ok()) {
      fmt::print(stderr, "mfsmetarestore: {}\n", found.status().ToString());
      return 1;
    }
    return Run(std::move(*found), true, dir);
  }
  if (o.output.empty()) {
    Usage(argv[0]);
    return 2;
  }
  for (int i = optind; i < argc; ++i)
    o.changelogs.emplace_back(argv[i]);
  return Run(std::move(o), false, dir);
}
