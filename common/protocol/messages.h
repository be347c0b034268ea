#pragma once
// Every message struct, in one list, and a dispatch from a type id to its struct. Servers
// switch on their own link's ids; the list serves the tests and fuzzers that must cover
// every message, and any code that wants "decode whatever this is".

#include <cstdint>
#include <type_traits>

#include "common/protocol/antoan.h"
#include "common/protocol/cltocs.h"
#include "common/protocol/cltoma.h"
#include "common/protocol/cstocl.h"
#include "common/protocol/cstocs.h"
#include "common/protocol/cstoma.h"
#include "common/protocol/matocl.h"
#include "common/protocol/matocs.h"
#include "common/protocol/matoml.h"
#include "common/protocol/mltoma.h"

namespace elk::protocol {

template <Message... M>
struct MessageList {
  static constexpr size_t kSize = sizeof...(M);

  // Calls f(std::type_identity<M>{}) for each message.
  template <typename F>
  static void ForEach(F&& f) {
    (f(std::type_identity<M>{}), ...);
  }

  // Calls f(std::type_identity<M>{}) for the message whose kType is `type`; false when
  // no message has it.
  template <typename F>
  static bool Visit(uint32_t type, F&& f) {
    return ((M::kType == type ? (f(std::type_identity<M>{}), true) : false) || ...);
  }
};

// Append here when adding a message (the tests then cover it).
using AllMessages = MessageList<
    // ANTOAN
    AntoanNop, AntoanHello, AntoanStatus, AntoanAuthChallenge, AntoanAuthAnswer, AntoanNotLeader,
    // CLTOMA
    CltomaGetChallenge, CltomaRegisterSession, CltomaLookup, CltomaGetattr, CltomaSetattr,
    CltomaMknod, CltomaCreate, CltomaMkdir, CltomaUnlink, CltomaRmdir, CltomaRename, CltomaLink,
    CltomaSymlink, CltomaReadlink, CltomaReaddir, CltomaStatfs, CltomaOpen, CltomaGetxattr,
    CltomaSetxattr, CltomaListxattr, CltomaRemovexattr, CltomaReadChunk, CltomaWriteChunk,
    CltomaWriteChunkEnd, CltomaChunkInfo, CltomaChunkList, CltomaGetgoal, CltomaSetgoal,
    CltomaGettrashtime, CltomaSettrashtime, CltomaGetdirstats, CltomaPaths, CltomaSnapshot,
    CltomaAppendChunks, CltomaPunchChunks, CltomaListDetached, CltomaUndelete, CltomaPurge,
    CltomaDetachedAttr, CltomaSetTrashPath, CltomaRelease, CltomaSessionOpens, CltomaLock,
    CltomaLockTest, CltomaLockCancel, CltomaLockRelease, CltomaLocksReclaim, CltomaMonitor,
    CltomaRepair,
    // MATOCL
    MatoclChallenge, MatoclRegisterSession, MatoclStatus, MatoclLookup, MatoclGetattr,
    MatoclSetattr, MatoclMknod, MatoclCreate, MatoclMkdir, MatoclLink, MatoclSymlink,
    MatoclReadlink, MatoclReaddir, MatoclStatfs, MatoclOpen, MatoclGetxattr, MatoclListxattr,
    MatoclReadChunk, MatoclWriteChunk, MatoclChunkInfo, MatoclChunkList, MatoclGetgoal,
    MatoclSetgoal, MatoclGettrashtime, MatoclSettrashtime, MatoclGetdirstats, MatoclPaths,
    MatoclListDetached, MatoclDetachedAttr, MatoclLockTest, MatoclLocksReclaim, MatoclMonitor,
    MatoclRepair,
    // CSTOMA
    CstomaRegister, CstomaRegisterChunks, CstomaRegisterDone, CstomaSpace, CstomaChunkDamaged,
    CstomaChunkLost, CstomaDisks, CstomaCreateChunk, CstomaDeleteChunk, CstomaSetVersion,
    CstomaDuplicateChunk, CstomaTruncateChunk, CstomaReplicateChunk, CstomaDuptruncChunk,
    // MATOCS
    MatocsRegister, MatocsCreateChunk, MatocsDeleteChunk, MatocsSetVersion, MatocsDuplicateChunk,
    MatocsTruncateChunk, MatocsReplicateChunk, MatocsDuptruncChunk,
    // CLTOCS
    CltocsRead, CltocsWriteInit, CltocsWriteData, CltocsWriteEnd, CltocsWriteSync,
    CltocsGetChecksums,
    // CSTOCL
    CstoclReadData, CstoclReadStatus, CstoclWriteStatus, CstoclWriteError, CstoclChecksums,
    // CSTOCS
    CstocsGetChunkBlocks, CstocsChunkBlocks, CstocsRead, CstocsReadData, CstocsReadStatus,
    // MLTOMA
    MltomaRegister, MltomaDownloadStart, MltomaDownloadChunk, MltomaDownloadEnd, MltomaApplied,
    // MATOML
    MatomlRegister, MatomlChangelog, MatomlDownloadStart, MatomlDownloadChunk, MatomlLeaderInfo>;

}  // namespace elk::protocol
