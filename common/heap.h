#pragma once
// Heap settings for the programs that move chunk data (mfschunkserver, mfsmount, mfsiscsid).
//
// Their buffers are 64 KiB blocks and up to 1 MiB requests, allocated and freed thousands of
// times a second. With glibc's defaults a freed buffer at the top of the heap is handed back
// to the kernel and the next one faults its pages in again: profiles of a 1 GiB write showed
// page faults costing more than the CRCs. Keeping freed memory (up to the thresholds below)
// turns those faults into plain reuse.

namespace elk {

void KeepFreedDataBuffers();

}  // namespace elk
