#include "master/server/convert.h"

namespace elk::master {

protocol::NodeType ToWire(NodeType type) {
  using W = protocol::NodeType;
  switch (type) {
    case NodeType::kDirectory:
      return W::kDirectory;
    case NodeType::kSymlink:
      return W::kSymlink;
    case NodeType::kFifo:
      return W::kFifo;
    case NodeType::kSocket:
      return W::kSocket;
    case NodeType::kBlockDev:
      return W::kBlockDevice;
    case NodeType::kCharDev:
      return W::kCharDevice;
    case NodeType::kFile:
    case NodeType::kNone:
      break;
  }
  return W::kFile;
}

NodeType FromWire(protocol::NodeType type) {
  using W = protocol::NodeType;
  switch (type) {
    case W::kDirectory:
      return NodeType::kDirectory;
    case W::kSymlink:
      return NodeType::kSymlink;
    case W::kFifo:
      return NodeType::kFifo;
    case W::kSocket:
      return NodeType::kSocket;
    case W::kBlockDevice:
      return NodeType::kBlockDev;
    case W::kCharDevice:
      return NodeType::kCharDev;
    case W::kFile:
    case W::kLast:
      break;
  }
  return NodeType::kFile;
}

protocol::Attr ToWire(const Attr& a) {
  return protocol::Attr{a.inode, ToWire(a.type), a.mode,   a.uid,  a.gid,       a.atime, a.mtime,
                        a.ctime, a.nlink,        a.length, a.goal, a.trashtime, a.rdev};
}

Cred FromWire(const protocol::Creds& c) {
  return Cred{c.uid, c.gid, c.groups};
}

SetMode FromWire(protocol::SetMode mode) {
  switch (mode) {
    case protocol::SetMode::kIncrease:
      return SetMode::kIncrease;
    case protocol::SetMode::kDecrease:
      return SetMode::kDecrease;
    default:
      return SetMode::kSet;
  }
}

}  // namespace elk::master
