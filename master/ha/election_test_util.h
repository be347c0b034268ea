#pragma once
// Test-only: master candidates on one real etcd, each with a fault-injecting transport and
// a record of the role changes it reported (with when).

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "master/ha/election.h"
#include "master/ha/test_etcd.h"
#include "master/ha/test_transport.h"

namespace elk::master::ha::testing {

struct Seen {
  RoleChange change;
  Clock::time_point at;
};

// Collects an Election's callbacks (they run on its thread) for the test thread.
class Recorder {
 public:
  // Runs on the election thread before a change is recorded: tests check invariants at
  // the very moment a role is taken.
  void SetHook(std::function<void(const RoleChange&)> hook) {
    std::lock_guard lock(mu_);
    hook_ = std::move(hook);
  }

  Election::Callback Callback() {
    return [this](const RoleChange& c) {
      std::function<void(const RoleChange&)> hook;
      {
        std::lock_guard lock(mu_);
        hook = hook_;
      }
      if (hook) hook(c);
      std::lock_guard lock(mu_);
      seen_.push_back({c, Clock::now()});
      cv_.notify_all();
    };
  }
  // The first change at or after index `from` that matches, within `timeout`.
  std::optional<Seen> WaitFor(Role role, std::chrono::milliseconds timeout, size_t from = 0) {
    std::unique_lock lock(mu_);
    std::optional<Seen> found;
    cv_.wait_for(lock, timeout, [&] {
      for (size_t i = from; i < seen_.size(); ++i) {
        if (seen_[i].change.role == role) {
          found = seen_[i];
          return true;
        }
      }
      return false;
    });
    return found;
  }
  // Waits until the last change recorded satisfies `pred`, within `timeout`.
  bool WaitForLast(const std::function<bool(const RoleChange&)>& pred,
                   std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return !seen_.empty() && pred(seen_.back().change); });
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return seen_.size();
  }
  RoleChange last() {
    std::lock_guard lock(mu_);
    return seen_.empty() ? RoleChange{} : seen_.back().change;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Seen> seen_;
  std::function<void(const RoleChange&)> hook_;
};

struct Candidate {
  std::string id;
  FaultyTransport* fault = nullptr;  // owned by the election's client
  Recorder recorder;
  std::unique_ptr<Election> election;
};

class ElectionFixture : public ::testing::Test {
 protected:
  static constexpr std::chrono::seconds kTtl{2};

  void SetUp() override {
    auto etcd = EtcdServer::Start();
    ASSERT_TRUE(etcd.ok()) << etcd.status().ToString();
    etcd_ = std::move(*etcd);
  }
  void TearDown() override {
    for (auto& c : candidates_) {
      c->fault->Set(Fault::kNone);
      c->election.reset();
    }
  }

  ElectionOptions Options(const std::string& id) {
    return {.prefix = "/elkfs-test/",
            .node_id = id,
            .address = "127.0.0.1:" + std::to_string(9421 + candidates_.size()),
            .lease_ttl = kTtl,
            .poll_interval = std::chrono::milliseconds(100)};
  }

  Candidate& Add(const std::string& id, std::function<void(ElectionOptions&)> tweak = {}) {
    auto c = std::make_unique<Candidate>();
    c->id = id;
    auto endpoints = ParseEndpoints(etcd_->url());
    auto http = HttpTransport::Create(*endpoints, std::chrono::milliseconds(300));
    auto faulty = std::make_unique<FaultyTransport>(std::move(*http));
    c->fault = faulty.get();
    ElectionOptions options = Options(id);
    if (tweak) tweak(options);
    auto e = Election::Start(std::make_unique<EtcdClient>(std::move(faulty)), options,
                             c->recorder.Callback());
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    if (e.ok()) c->election = std::move(*e);
    candidates_.push_back(std::move(c));
    return *candidates_.back();
  }

  // The one candidate that holds the lead now (fails the test unless exactly one does).
  Candidate* OnlyLeader() {
    Candidate* leader = nullptr;
    int count = 0;
    for (auto& c : candidates_) {
      if (c->election && c->election->StillLeader(Clock::now())) {
        leader = c.get();
        ++count;
      }
    }
    EXPECT_EQ(count, 1);
    return count == 1 ? leader : nullptr;
  }

  // Waits until one candidate reports kLeader (bounded).
  Candidate* WaitForLeader(std::chrono::milliseconds timeout) {
    auto until = Clock::now() + timeout;
    while (Clock::now() < until) {
      for (auto& c : candidates_) {
        if (c->election && c->election->StillLeader(Clock::now())) return c.get();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return nullptr;
  }

  std::unique_ptr<EtcdServer> etcd_;
  std::vector<std::unique_ptr<Candidate>> candidates_;
};

}  // namespace elk::master::ha::testing
