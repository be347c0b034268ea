#pragma once
// The replication planner's limits, named and defaulted as MooseFS's mfsmaster.cfg keys.

#include <cstddef>
#include <cstdint>

namespace elk::master::replication {

struct Config {
  uint32_t chunks_loop_time = 300;         // CHUNKS_LOOP_TIME: seconds for a pass over every chunk
  uint32_t tick_interval = 1;              // seconds between Tick calls (sizes each tick's slice)
  uint32_t write_rep_limit = 1;            // CHUNKS_WRITE_REP_LIMIT: replications into one server
  uint32_t read_rep_limit = 5;             // CHUNKS_READ_REP_LIMIT: replications out of one server
  uint32_t del_limit = 100;                // CHUNKS_DEL_LIMIT: deletions under way on one server
  uint32_t replications_delay_init = 300;  // REPLICATIONS_DELAY_INIT
  uint32_t replications_delay_disconnect = 3600;  // REPLICATIONS_DELAY_DISCONNECT
  double acceptable_difference = 0.1;  // ACCEPTABLE_DIFFERENCE: usage spread that rebalances
  uint32_t rebalance_per_tick = 1;     // rebalancing moves started per tick, at most
  uint32_t operation_timeout = 300;    // an unanswered operation counts as failed after this
  size_t max_actions_per_tick = 10000;
  size_t backlog_limit = 100000;  // chunks waiting for a free server, retried first
};

}  // namespace elk::master::replication
