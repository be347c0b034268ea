#pragma once
// A hand-made cluster state for the monitor's tests: three chunkservers (one lost), three
// disks (one damaged, one marked for removal, a path with quotes), two sessions (one naming itself
// with markup), a metalogger, two exports, a few counters.

#include "master/monitor/snapshot.h"

namespace elk::master::monitor::testing {

inline Snapshot SampleSnapshot() {
  Snapshot s;
  s.info = {.software_version = "0.1.0",
            .metadata_version = 4242,
            .now = 1'700'000'000,
            .started_at = 1'700'000'000 - 3725,
            .total_space = 3ull << 40,
            .used_space = 1ull << 40,
            .files = 17,
            .dirs = 3,
            .files_length = 12345,
            .trash_files = 1,
            .reserved_files = 0,
            .chunks = 0,
            .chunkservers = 2,
            .chunkservers_lost = 1,
            .sessions = 2,
            .metaloggers = 1};
  for (int i = 0; i < 5; i++)
    s.chunks.Add(2, 2);
  s.chunks.Add(2, 1);  // endangered
  s.chunks.Add(3, 0);  // missing
  s.chunks.Add(1, 3);  // over goal
  s.chunks.Add(0, 1);  // unreferenced
  s.info.chunks = s.chunks.total();
  s.replication = {.undergoal = 1,
                   .in_flight = 3,
                   .catching_up = true,
                   .done = 3,
                   .total = 4,
                   .since = 1'699'999'900};
  s.chunkservers = {
      {.id = 1,
       .address = "10.0.0.1:9422",
       .version = "0.1.0",
       .connected = true,
       .chunks = 7,
       .used_space = 1ull << 39,
       .total_space = 1ull << 40,
       .load = 3},
      {.id = 2,
       .address = "10.0.0.2:9422",
       .version = "0.1.0",
       .connected = true,
       .marked_for_removal = true,
       .chunks = 6,
       .used_space = 1ull << 39,
       .total_space = 1ull << 40},
      {.id = 3,
       .address = "10.0.0.3:9422",
       .connected = false,
       .disconnected_since = 1'699'999'000},
  };
  s.sessions = {
      {.id = 1,
       .address = "10.0.1.1",
       .info = "host1:/mnt/elk",
       .folder = "/",
       .options = "rw,alldirs",
       .connected = true,
       .created = 1'699'990'000,
       .last_seen = 1'700'000'000},
      {.id = 2,
       .address = "10.0.1.2",
       .info = "<script>alert(1)</script>",
       .folder = ".",
       .options = "ro",
       .created = 1'699'990'000,
       .last_seen = 1'699'999'999},
  };
  s.metaloggers = {{.address = "10.0.2.1",
                    .version = "0.1.0",
                    .streaming = true,
                    .next_version = 4240,
                    .lag = 2}};
  s.exports = {{.address = "*", .path = "/", .options = "rw,alldirs", .line = 1},
               {.address = "10.0.0.0-10.0.255.255", .path = ".", .options = "ro", .line = 2}};
  s.ops = {{"lookup", 100}, {"write_chunk", 7}, {"we\"ird\\op", 1}};
  s.totals = {.ops = 108,
              .bytes_read = 5ull << 30,
              .bytes_written = 3ull << 30,
              .replications = 12,
              .deletions = 2};
  s.history = {{.time = 1'699'999'880,
                .ops_per_second = 1.5,
                .read_bytes_per_second = 2.5 * (1 << 20),
                .written_bytes_per_second = 1 << 20},
               {.time = 1'699'999'940,
                .ops_per_second = 3.0,
                .read_bytes_per_second = 4.0 * (1 << 20),
                .replications_per_second = 0.2},
               {.time = 1'700'000'000, .ops_per_second = 0.5, .deletions_per_second = 0.05}};
  s.disks = {
      {.chunkserver = "10.0.0.1:9422",
       .path = "/mnt/hd1",
       .state = "ok",
       .chunks = 4,
       .used_space = 1ull << 38,
       .total_space = 1ull << 39,
       .scrub_on = true,
       .scrub_done = 1,
       .scrub_total = 4,
       .bytes_read = 3ull << 30,
       .bytes_written = 1ull << 20},
      {.chunkserver = "10.0.0.1:9422",
       .path = "/mnt/hd2",
       .state = "damaged",
       .chunks = 3,
       .errors = 3,
       .last_error = "read /mnt/hd2/00/x: <EIO>",
       .last_error_time = 1'699'999'990},
      {.chunkserver = "10.0.0.2:9422",
       .path = "/mnt/\"odd\"",
       .state = "marked for removal",
       .chunks = 6,
       .used_space = 1ull << 39,
       .total_space = 1ull << 40,
       .scrub_on = true},
  };
  s.disks_note = "1 connected chunkserver reported no disks.";
  s.locks = {{.inode = 7,
              .kind = "posix",
              .session = 3,
              .owner = 99,
              .pid = 1234,
              .type = "exclusive",
              .start = 10,
              .end = (1ull << 63) - 1},
             {.inode = 7,
              .kind = "flock",
              .session = 4,
              .owner = 5,
              .pid = 77,
              .type = "shared",
              .start = 0,
              .end = (1ull << 63) - 1,
              .waiting = true}};
  s.open_files = {{.session = 3,
                   .inode = 7,
                   .descriptors = 2,
                   .mode = "read-write",
                   .paths = {"/db/main.sqlite", "/db/link"}},
                  {.session = 4, .inode = 9, .descriptors = 1, .mode = "read", .paths = {}}};
  s.open_files_total = 3;
  return s;
}

}  // namespace elk::master::monitor::testing
