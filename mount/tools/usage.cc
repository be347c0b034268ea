#include "mount/tools/usage.h"

#include <fmt/format.h>

namespace elk::tools {
namespace {

#define ELK_NUMBER_SWITCHES                                              \
  " -n - show numbers in plain format\n"                                 \
  " -h - \"human-readable\" numbers using base 2 prefixes (IEC 60027)\n" \
  " -H - \"human-readable\" numbers using base 10 prefixes (SI)\n"       \
  " -k - show plain numbers in kibis (binary kilo - 1024)\n"             \
  " -m - show plain numbers in mebis (binary mega - 1024^2)\n"           \
  " -g - show plain numbers in gibis (binary giga - 1024^3)\n"
#define ELK_RECURSIVE_SWITCH " -r - do it recursively\n"

constexpr std::string_view kGetGoal =
    "get objects goal (desired number of copies)\n\n"
    "usage: mfsgetgoal [-nhHkmgr] name [name ...]\n" ELK_NUMBER_SWITCHES ELK_RECURSIVE_SWITCH;
constexpr std::string_view kSetGoal =
    "set objects goal (desired number of copies)\n\n"
    "usage: mfssetgoal [-nhHkmgr] GOAL[-|+] name [name ...]\n" ELK_NUMBER_SWITCHES
        ELK_RECURSIVE_SWITCH
    " GOAL+ - increase goal to given value\n"
    " GOAL- - decrease goal to given value\n"
    " GOAL - just set goal to given value\n";
constexpr std::string_view kCopyGoal =
    "copy object goal (desired number of copies)\n\n"
    "usage: mfscopygoal [-nhHkmgr] srcname dstname [dstname ...]\n" ELK_NUMBER_SWITCHES
        ELK_RECURSIVE_SWITCH;
constexpr std::string_view kGetTrashTime =
    "get objects trashtime (how many seconds file should be left in trash)\n\n"
    "usage: mfsgettrashtime [-nhHkmgr] name [name ...]\n" ELK_NUMBER_SWITCHES ELK_RECURSIVE_SWITCH;
constexpr std::string_view kSetTrashTime =
    "set objects trashtime (how many seconds file should be left in trash)\n\n"
    "usage: mfssettrashtime [-nhHkmgr] SECONDS[-|+] name [name ...]\n" ELK_NUMBER_SWITCHES
        ELK_RECURSIVE_SWITCH
    " SECONDS+ - increase trashtime to given value\n"
    " SECONDS- - decrease trashtime to given value\n"
    " SECONDS - just set trashtime to given value\n";
constexpr std::string_view kCopyTrashTime =
    "copy objects trashtime (how many seconds file should be left in trash)\n\n"
    "usage: mfscopytrashtime [-nhHkmgr] srcname dstname [dstname ...]\n" ELK_NUMBER_SWITCHES
        ELK_RECURSIVE_SWITCH;
constexpr std::string_view kCheckFile =
    "check files\n\nusage: mfscheckfile [-nhHkmg] name [name ...]\n" ELK_NUMBER_SWITCHES;
constexpr std::string_view kFileInfo =
    "show files info (shows detailed info of each file chunk)\n\n"
    "usage: mfsfileinfo [-qcs] name [name ...]\n"
    "switches:\n"
    " -q - quick info (show only number of valid copies)\n"
    " -c - receive chunk checksums from chunkservers\n"
    " -s - calculate file signature (using checksums)\n";
constexpr std::string_view kFileRepair =
    "repair given file. Use it with caution. It forces file to be readable, so it could erase "
    "(fill with zeros) file when chunkservers are not currently connected.\n\n"
    "usage: mfsfilerepair [-nhHkmg] name [name ...]\n" ELK_NUMBER_SWITCHES;
constexpr std::string_view kDirInfo =
    "show directories stats\n\n"
    "usage: mfsdirinfo [-nhHkmg] [-idfclsr] name [name ...]\n" ELK_NUMBER_SWITCHES
    "'show' switches:\n"
    " -i - show number of inodes\n"
    " -d - show number of directories\n"
    " -f - show number of files\n"
    " -c - show number of chunks\n"
    " -l - show length\n"
    " -s - show size\n"
    " -r - show realsize\n"
    "\nIf no 'show' switches are present then show everything\n"
    "\nMeaning of some not obvious output data:\n"
    " 'length' is just sum of files lengths\n"
    " 'size' is sum of chunks lengths\n"
    " 'realsize' is estimated hdd usage (usually size multiplied by current goal)\n";
constexpr std::string_view kMakeSnapshot =
    "make snapshot (lazy copy)\n\n"
    "usage: mfsmakesnapshot [-ocp] src [src ...] dst\n"
    " -o - allow to overwrite existing objects\n"
    " -c - 'cp' mode for attributes (create objects using current uid,gid,umask etc.)\n"
    " -p - preserve hardlinks\n";
constexpr std::string_view kAppendChunks =
    "append file chunks to another file. If destination file doesn't exist then it's "
    "created as empty file and then chunks are appended\n\n"
    "usage: mfsappendchunks dstfile name [name ...]\n";

constexpr std::string_view kFilePaths =
    "show all paths of given files or node numbers\n\n"
    "usage: mfsfilepaths name/inode [name/inode ...]\n"
    "\n"
    "In case of converting node to path, tool has to be run in mfs-mounted directory\n";

#undef ELK_NUMBER_SWITCHES
#undef ELK_RECURSIVE_SWITCH

}  // namespace

std::string_view UsageText(ToolId id) {
  switch (id) {
    case ToolId::kGetGoal:
      return kGetGoal;
    case ToolId::kSetGoal:
      return kSetGoal;
    case ToolId::kCopyGoal:
      return kCopyGoal;
    case ToolId::kGetTrashTime:
      return kGetTrashTime;
    case ToolId::kSetTrashTime:
      return kSetTrashTime;
    case ToolId::kCopyTrashTime:
      return kCopyTrashTime;
    case ToolId::kCheckFile:
      return kCheckFile;
    case ToolId::kFileInfo:
      return kFileInfo;
    case ToolId::kDirInfo:
      return kDirInfo;
    case ToolId::kMakeSnapshot:
      return kMakeSnapshot;
    case ToolId::kAppendChunks:
      return kAppendChunks;
    case ToolId::kFilePaths:
      return kFilePaths;
    case ToolId::kFileRepair:
      return kFileRepair;
  }
  return {};
}

int UsageError(ToolEnv& env, ToolId id, std::string_view problem) {
  if (!problem.empty()) env.err << problem << "\n";
  env.err << UsageText(id);
  return 1;
}

}  // namespace elk::tools
