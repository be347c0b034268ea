#pragma once
// Between the wire's records (common/protocol) and the namespace's types: node types are
// numbered differently on each side, so every crossing goes through here.

#include "common/protocol/cltoma.h"
#include "common/protocol/records.h"
#include "master/namespace/types.h"

namespace elk::master {

protocol::NodeType ToWire(NodeType type);
NodeType FromWire(protocol::NodeType type);
protocol::Attr ToWire(const Attr& attr);
Cred FromWire(const protocol::Creds& creds);
SetMode FromWire(protocol::SetMode mode);

}  // namespace elk::master
