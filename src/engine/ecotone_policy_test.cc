#include "ecotone/engine/ecotone_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>

#include "ecotone/adapters/event_json.h"
#include "ecotone/engine/engine.h"
#include "ecotone/manifest/infra.h"
#include "ecotone/manifest/manifest.h"
#include "ecotone/placement/ecosystem_problem.h"
#include "testing/engine_fixture.h"

namespace ecotone::engine {
namespace {

using model::Action;
using model::ActionKind;
using model::Event;
using model::EventKind;
using model::HardwareChange;

constexpr int64_t kSec = 1'000'000;
constexpr int64_t kMin = 60 * kSec;

// --- A small hand-built world: 3 zones × 2 racks × 2 hosts. ---

model::Topology ThreeZones() {
  model::Topology t;
  t.name = "small";
  const double price[3] = {0.02, 0.06, 0.06};
  for (int z = 0; z < 3; ++z) {
    model::Zone zone;
    zone.name = "z" + std::to_string(z + 1);
    zone.prices = {price[z], 0.005, 0, 0};
    for (int r = 0; r < 2; ++r) {
      model::Rack rack;
      rack.name = "r" + std::to_string(r + 1);
      for (int h = 0; h < 2; ++h) {
        model::Host host;
        host.name = "h" + std::to_string(h + 1);
        host.capacity = {8000, 32LL << 30, 0, 0};
        rack.capacity = model::Add(rack.capacity, host.capacity);
        rack.hosts.push_back(host);
      }
      zone.capacity = model::Add(zone.capacity, rack.capacity);
      zone.racks.push_back(rack);
    }
    zone.rack_latency_ms = {0, 0.1, 0.1, 0};
    t.zones.push_back(zone);
  }
  t.latency_ms = {0, 1, 1.5, 1, 0, 1.2, 1.5, 1.2, 0};
  t.egress_per_gb = {0, 0.01, 0.01, 0.01, 0, 0.01, 0.01, 0.01, 0};
  return t;
}

model::Component Comp(const std::string& name, int replicas,
                      bool stateful = false) {
  model::Component c;
  c.name = name;
  c.version = "1.0";
  c.image = name + ":1.0";
  c.replicas.initial = c.replicas.min = replicas;
  c.replicas.max = replicas;
  c.requests = {1000, 2LL << 30, 0, 0};
  c.capacity_rps_per_replica = 100;
  c.startup_us = 20 * kSec;
  c.stateful = stateful;
  if (stateful) c.kind = model::ComponentKind::kDatabase;
  return c;
}

model::Dependency Dep(const std::string& from, const std::string& to) {
  model::Dependency d;
  d.from = from;
  d.to = to;
  d.traffic_rps = 100;
  d.traffic_bytes_per_s = 1e6;
  return d;
}

model::Ecosystem Shop() {
  model::Ecosystem e;
  e.name = "shop";
  e.components = {Comp("web", 3), Comp("api", 2), Comp("db", 1, true)};
  e.components[1].replicas.min = 1;
  e.dependencies = {Dep("web", "api"), Dep("api", "db")};
  return e;
}

using testing::At;

// web#0, api#0 and db#0 share host z1/r1/h1.
model::PlacementPlan ShopPlan() {
  model::PlacementPlan p;
  p.assignments = {
      At("web", 0, "z1", "r1", "h1"), At("web", 1, "z2", "r1", "h1"),
      At("web", 2, "z3", "r1", "h1"), At("api", 0, "z1", "r1", "h1"),
      At("api", 1, "z2", "r1", "h2"), At("db", 0, "z1", "r1", "h1")};
  return p;
}

State MakeShop(model::Ecosystem eco = Shop()) {
  auto s = MakeState(std::move(eco), ThreeZones(), ShopPlan(), 0);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

Event Hardware(int64_t t, const std::string& zone, const std::string& rack,
               const std::string& host, HardwareChange change,
               int64_t deadline = 0) {
  Event e;
  e.id = t / kSec + 1;
  e.time_us = t;
  e.kind = EventKind::kHardware;
  e.hardware = {zone, rack, host, change, deadline};
  return e;
}

Event Tick(int64_t t) {
  Event e;
  e.time_us = t;
  e.kind = EventKind::kTick;
  return e;
}

Event Load(int64_t t, const std::string& c, double rps,
           double error_rate = model::kNoValue,
           double latency_ms = model::kNoValue) {
  Event e;
  e.id = 1000 + t / kSec;
  e.time_us = t;
  e.kind = EventKind::kMetrics;
  model::MetricSample m;
  m.component = c;
  m.requests_per_s = rps;
  m.error_rate = error_rate;
  m.latency_ms = latency_ms;
  e.metrics = {m};
  return e;
}

// Observe, decide, apply: what a driver does. Fails the test on errors.
std::vector<Action> Step(const Policy& p, State* s, const Event& e) {
  Status st = Observe(e, s);
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::vector<Action> actions = p.Decide(*s, e, e.time_us);
  for (const Action& a : actions) {
    Status ap = Apply(a, e.time_us, s);
    EXPECT_TRUE(ap.ok()) << a.Describe() << ": " << ap.ToString();
  }
  return actions;
}

// Every action explains itself.
void ExpectExplained(const std::vector<Action>& actions) {
  for (const Action& a : actions) {
    EXPECT_FALSE(a.trigger.empty()) << a.Describe();
    EXPECT_FALSE(a.alternatives.empty()) << a.Describe();
    EXPECT_FALSE(a.expected_effect.empty()) << a.Describe();
    EXPECT_FALSE(a.constraint.empty()) << a.Describe();
    // The audit log (JSON Lines of actions) keeps every field of the kind.
    auto back = adapters::ActionFromJson(adapters::ToJson(a), "action");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, a) << a.Describe();
  }
}

bool Usable(const model::Topology& t, const model::Place& p) {
  for (const auto& z : t.zones) {
    if (z.name != p.zone) continue;
    if (!model::IsUsable(z.state)) return false;
    for (const auto& r : z.racks) {
      if (r.name != p.rack) continue;
      if (!model::IsUsable(r.state)) return false;
      if (p.host.empty()) return true;
      for (const auto& h : r.hosts)
        if (h.name == p.host) return model::IsUsable(h.state);
    }
    return z.racks.empty();
  }
  return false;
}

int Count(const std::vector<Action>& v, ActionKind k) {
  return static_cast<int>(std::count_if(
      v.begin(), v.end(), [&](const Action& a) { return a.kind == k; }));
}

// ------------------------------------------------------------ hardware

TEST(EcotonePolicyHardware, HostFailureReplacesItsReplicasAtOnce) {
  State s = MakeShop();
  auto policy = MakeEcotonePolicy();
  Event e = Hardware(10 * kSec, "z1", "r1", "h1", HardwareChange::kFailed);
  auto actions = Step(*policy, &s, e);
  ExpectExplained(actions);
  // web#0, api#0, db#0 were on the host: all three move, nothing else.
  ASSERT_EQ(actions.size(), 3u);
  std::set<std::string> moved;
  for (const auto& a : actions) {
    EXPECT_EQ(a.kind, ActionKind::kMigrate);
    EXPECT_EQ(a.event_id, e.id);
    EXPECT_EQ(a.from.host, "h1");
    EXPECT_EQ(a.from.zone, "z1");
    EXPECT_FALSE(a.live);
    EXPECT_NE(a.trigger.find("host z1/r1/h1 failed"), std::string::npos)
        << a.trigger;
    moved.insert(a.component + "#" + std::to_string(a.replica));
  }
  EXPECT_EQ(moved, (std::set<std::string>{"web#0", "api#0", "db#0"}));
  for (const auto& c : s.components)
    for (const auto& r : c.replicas)
      EXPECT_TRUE(Usable(s.topology, r.place)) << r.place.ToString();
  // Spread kept: web over 3 zones still needs >= 2; proximity pulls api next to
  // db.
  std::set<std::string> web_zones;
  for (const auto& r : s.components[0].replicas) web_zones.insert(r.place.zone);
  EXPECT_GE(web_zones.size(), 2u);
  // Deterministic: the same state and event give the same actions.
  State again = MakeShop();
  ASSERT_TRUE(Observe(e, &again).ok());
  EXPECT_EQ(policy->Decide(again, e, e.time_us),
            policy->Decide(again, e, e.time_us));
  EXPECT_EQ(policy->Decide(again, e, e.time_us), actions);
}

TEST(EcotonePolicyHardware, ZoneFailureMovesEveryReplicaOutOfTheZone) {
  State s = MakeShop();
  auto policy = MakeEcotonePolicy();
  auto actions =
      Step(*policy, &s, Hardware(kSec, "z1", "", "", HardwareChange::kFailed));
  ExpectExplained(actions);
  EXPECT_EQ(Count(actions, ActionKind::kMigrate), 3);
  for (const auto& c : s.components)
    for (const auto& r : c.replicas) EXPECT_NE(r.place.zone, "z1");
  // A tick afterwards has nothing left to heal.
  EXPECT_TRUE(policy->Decide(s, Tick(2 * kSec), 2 * kSec).empty());
}

TEST(EcotonePolicyHardware, WhatCanBePlacedServesWhenTheWholeCannot) {
  model::Ecosystem eco = Shop();
  eco.components.push_back(Comp("strict", 3));
  eco.components.back().placement.spread_min_zones = 3;
  model::PlacementPlan plan = ShopPlan();
  for (int r = 0; r < 3; ++r)
    plan.assignments.push_back(
        At("strict", r, "z" + std::to_string(r + 1), "r2", "h2"));
  auto made = MakeState(eco, ThreeZones(), plan, 0);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  State s = std::move(made).value();
  auto policy = MakeEcotonePolicy();
  // With z1 gone, "strict" cannot span 3 zones: no joint plan exists.
  auto actions =
      Step(*policy, &s, Hardware(kSec, "z1", "", "", HardwareChange::kFailed));
  ExpectExplained(actions);
  std::set<std::string> moved;
  for (const auto& a : actions) {
    moved.insert(a.component);
    EXPECT_NE(a.constraint.find("component by component"), std::string::npos);
  }
  EXPECT_EQ(moved, (std::set<std::string>{"api", "db", "web"}));
  EXPECT_EQ(actions.front().component, "db");  // stateful first.
  EXPECT_EQ(s.components[3].replicas[0].phase, ReplicaPhase::kDown);
}

TEST(EcotonePolicyHardware, MaintenanceDrainsStatefulFirstWithinTheRateLimit) {
  State s = MakeShop();
  EcotoneOptions o;
  o.max_migrations_per_window = 1;
  auto policy = MakeEcotonePolicy(o);
  // Deadline an hour away: one move per minute is enough.
  Event m =
      Hardware(0, "z1", "r1", "h1", HardwareChange::kMaintenance, 60 * kMin);
  auto first = Step(*policy, &s, m);
  ExpectExplained(first);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].component, "db");  // stateful first.
  EXPECT_TRUE(first[0].live);
  EXPECT_EQ(first[0].event_id, m.id);
  EXPECT_NE(first[0].constraint.find("rate limit"), std::string::npos);
  // Within the same window: held back.
  EXPECT_TRUE(Step(*policy, &s, Tick(30 * kSec)).empty());
  // Next window: the next one (by name: api before web).
  auto second = Step(*policy, &s, Tick(61 * kSec));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].component, "api");
  EXPECT_EQ(second[0].event_id, m.id);  // the notice's event.
  auto third = Step(*policy, &s, Tick(122 * kSec));
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].component, "web");
  EXPECT_TRUE(Step(*policy, &s, Tick(183 * kSec)).empty());
  for (const auto& c : s.components)
    for (const auto& r : c.replicas)
      EXPECT_NE(r.place.host + r.place.zone, "h1z1");
}

TEST(EcotonePolicyHardware, DeadlineWinsOverTheRateLimit) {
  State s = MakeShop();
  EcotoneOptions o;
  o.max_migrations_per_window = 1;
  auto policy = MakeEcotonePolicy(o);
  // 30 s to drain 3 replicas: all at once.
  auto actions = Step(
      *policy, &s,
      Hardware(0, "z1", "r1", "h1", HardwareChange::kMaintenance, 30 * kSec));
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(actions[0].component, "db");
  EXPECT_NE(actions[0].constraint.find("deadline"), std::string::npos);
}

TEST(EcotonePolicyHardware, DegradedHardwareIsLeftAheadOfFailure) {
  State s = MakeShop();
  auto policy = MakeEcotonePolicy();
  auto actions =
      Step(*policy, &s, Hardware(0, "z2", "r1", "", HardwareChange::kDegraded));
  ExpectExplained(actions);
  ASSERT_EQ(actions.size(), 2u);  // web#1 (h1) and api#1 (h2) are on z2/r1.
  for (const auto& a : actions) {
    EXPECT_TRUE(a.live);
    EXPECT_FALSE(a.to.zone == "z2" && a.to.rack == "r1");
  }
}

TEST(EcotonePolicyHardware, RecoveryRebalancesBackWhenItPays) {
  State s = MakeShop();
  auto policy = MakeEcotonePolicy();
  Step(*policy, &s, Hardware(0, "z1", "", "", HardwareChange::kFailed));
  // Replicas serve elsewhere (z2, z3 cost three times the cpu price of z1)
  // and remember where they ran.
  EXPECT_EQ(s.components[2].replicas[0].home, (model::Place{"z1", "r1", "h1"}));
  auto recovered = Hardware(5 * kMin, "z1", "", "", HardwareChange::kRecovered);
  auto actions = Step(*policy, &s, recovered);
  ExpectExplained(actions);
  ASSERT_FALSE(actions.empty());
  EXPECT_LE(static_cast<int>(actions.size()),
            EcotoneOptions{}.max_migrations_per_window);
  for (const auto& a : actions) {
    EXPECT_EQ(a.kind, ActionKind::kRecover);
    EXPECT_EQ(a.to.zone, "z1");
    EXPECT_EQ(a.event_id, recovered.id);
    EXPECT_NE(a.constraint.find("pays"), std::string::npos);
    for (const auto& r : s.components[s.ComponentIndex(a.component)].replicas)
      if (r.replica == a.replica) {
        EXPECT_TRUE(r.home.empty());
      }
  }
  // Settles: after the window's moves and a few more ticks, nothing pays.
  int64_t t = 5 * kMin;
  int total = static_cast<int>(actions.size());
  for (int k = 0; k < 20; ++k) {
    t += 61 * kSec;
    total += static_cast<int>(Step(*policy, &s, Tick(t)).size());
  }
  EXPECT_LE(total, 6);
  EXPECT_TRUE(policy->Decide(s, Tick(t + 61 * kSec), t + 61 * kSec).empty());
}

// Quiet ticks: a rebalancing solve that found nothing is not repeated while
// its inputs are unchanged, and skipping it changes no decision.
TEST(EcotonePolicyHardware, QuietTicksSkipARebalanceThatFoundNothing) {
  State s = MakeShop();
  EcotoneOptions o;
  o.recover_min_gain_per_hour = 1e9;  // no move back ever pays.
  auto policy = MakeEcotonePolicy(o);
  Step(*policy, &s, Hardware(0, "z1", "", "", HardwareChange::kFailed));
  EXPECT_EQ(s.rebalance_no_gain_key, 0u);
  auto actions =
      Step(*policy, &s, Hardware(5 * kMin, "z1", "", "", HardwareChange::kRecovered));
  EXPECT_EQ(Count(actions, ActionKind::kRecover), 0);
  const uint64_t key = s.rebalance_no_gain_key;
  ASSERT_NE(key, 0u);  // the solve ran and found nothing.
  State fresh = s;
  fresh.rebalance_no_gain_key = 0;
  const int64_t t = 6 * kMin;
  auto cached = policy->Decide(s, Tick(t), t);
  auto solved = policy->Decide(fresh, Tick(t), t);
  EXPECT_EQ(cached, solved);
  EXPECT_EQ(fresh.rebalance_no_gain_key, key);  // same inputs, same key.
}

// ------------------------------------------------------------ scaling

TEST(EcotonePolicyScaling, OverloadScalesOutAndPlacesTheNewReplicas) {
  State s = MakeShop();
  auto policy = MakeEcotonePolicy();
  Event e = Load(kMin, "web", 500);
  auto actions = Step(*policy, &s, e);
  ExpectExplained(actions);
  ASSERT_EQ(actions.size(), 1u);
  const Action& a = actions[0];
  EXPECT_EQ(a.kind, ActionKind::kScale);
  EXPECT_EQ(a.from_replicas, 3);
  EXPECT_EQ(a.to_replicas, 5);  // ceil(500 / (100 × 1.0))
  ASSERT_EQ(a.placements.size(), 2u);
  for (const auto& p : a.placements)
    EXPECT_TRUE(Usable(s.topology, {p.zone, p.rack, p.host}))
        << p.PlaceString();
  EXPECT_EQ(s.components[0].replicas.size(), 5u);
  // Cooldown: more load a minute later does not scale again (140 %, below
  // the 150 % emergency).
  EXPECT_TRUE(Step(*policy, &s, Load(2 * kMin, "web", 700)).empty());
  // An emergency (> 150 % of the 5 replicas) does.
  auto more = Step(*policy, &s, Load(3 * kMin, "web", 1100));
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].to_replicas, 11);  // ceil(1100 / 100)
}

TEST(EcotonePolicyScaling, ScaleOutGoesWhereCapacityIs) {
  State s = MakeShop();
  auto policy = MakeEcotonePolicy();
  Step(*policy, &s, Hardware(0, "z3", "", "", HardwareChange::kFailed));
  auto actions = Step(*policy, &s, Load(kMin, "api", 400));
  ASSERT_EQ(Count(actions, ActionKind::kScale), 1);
  for (const auto& p : actions.back().placements) EXPECT_NE(p.zone, "z3");
}

// A day of noisy flat load, one sample a minute: at most 2 scale actions.
void NoisyFlatDay(double mean_rps, double noise, int replicas,
                  int* scale_actions) {
  model::Ecosystem eco = Shop();
  eco.components[0].replicas.initial = replicas;
  model::PlacementPlan plan;
  for (int r = 0; r < replicas; ++r)
    plan.assignments.push_back(
        At("web", r, "z" + std::to_string(r % 3 + 1), "r1", "h1"));
  plan.assignments.push_back(At("api", 0, "z1", "r1", "h2"));
  plan.assignments.push_back(At("api", 1, "z2", "r1", "h2"));
  plan.assignments.push_back(At("db", 0, "z1", "r2", "h1"));
  auto made = MakeState(eco, ThreeZones(), plan, 0);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  State s = std::move(made).value();
  auto policy = MakeEcotonePolicy();
  std::mt19937_64 rng(7);
  std::normal_distribution<double> n(0, noise);
  *scale_actions = 0;
  for (int64_t t = kMin; t <= 24 * 60 * kMin; t += kMin) {
    double rps = std::max(0.0, mean_rps * (1 + n(rng)));
    for (const Action& a : Step(*policy, &s, Load(t, "web", rps)))
      *scale_actions += a.kind == ActionKind::kScale;
    if (t % (5 * kMin) == 0)
      for (const Action& a : Step(*policy, &s, Tick(t)))
        *scale_actions += a.kind == ActionKind::kScale;
  }
}

TEST(EcotonePolicyScaling, NoisyFlatLoadScalesAtMostTwicePerDay) {
  int count = 0;
  NoisyFlatDay(250, 0.08, 3, &count);  // 83 % of 3 replicas, sd 8 %.
  EXPECT_LE(count, 2);
  NoisyFlatDay(300, 0.10, 3, &count);  // right at the threshold.
  EXPECT_LE(count, 2);
  EXPECT_GE(count, 1);                 // it does react to the overload.
  NoisyFlatDay(150, 0.15, 3, &count);  // 50 %, very noisy.
  EXPECT_LE(count, 2);
}

TEST(EcotonePolicyScaling, ScaleInIsStabilisedAndLimited) {
  model::Ecosystem eco = Shop();
  eco.components[0].replicas.min = 1;
  State s = MakeShop(eco);
  auto policy = MakeEcotonePolicy();
  Step(*policy, &s, Load(kMin, "web", 1200));  // 3 -> 12.
  ASSERT_EQ(s.components[0].replicas.size(), 12u);
  std::vector<int64_t> scale_in_times;
  for (int64_t t = 2 * kMin; t <= 3 * 60 * kMin; t += kMin)
    for (const Action& a : Step(*policy, &s, Load(t, "web", 100))) {
      ASSERT_EQ(a.kind, ActionKind::kScale);
      // Scale-in limit: max(1, 25 % of the replicas) per action.
      EXPECT_EQ(a.from_replicas - a.to_replicas,
                std::max(1, a.from_replicas / 4))
          << a.Describe();
      EXPECT_FALSE(a.placements.empty());
      scale_in_times.push_back(t);
    }
  ASSERT_FALSE(scale_in_times.empty());
  EXPECT_GE(scale_in_times[0] - kMin, EcotoneOptions{}.scale_in_cooldown_us);
  for (size_t k = 1; k < scale_in_times.size(); ++k)
    EXPECT_GE(scale_in_times[k] - scale_in_times[k - 1],
              EcotoneOptions{}.scale_in_cooldown_us);
  // Stops where the peak still fits with room: 100 rps needs 100/0.9 -> 2.
  EXPECT_EQ(s.components[0].replicas.size(), 2u);
  std::set<std::string> zones;
  for (const auto& r : s.components[0].replicas) zones.insert(r.place.zone);
  EXPECT_EQ(zones.size(), 2u);  // removal keeps the spread.
}

TEST(EcotonePolicyScaling, ForecastScalesAheadByTheStartupTime) {
  model::Ecosystem eco = Shop();
  eco.components[0].startup_us = 2 * kMin;
  State s = MakeShop(eco);
  auto policy = MakeEcotonePolicy();
  Event f;
  f.id = 77;
  f.time_us = 0;
  f.kind = EventKind::kForecastUpdated;
  f.forecast = {"web", 0, 5 * kMin, {3, 3, 6, 6, 3}};  // peak from 10 min.
  EXPECT_TRUE(Step(*policy, &s, f).empty());
  // At 6 min the horizon (2 min start-up + 1 min lead) does not reach it.
  EXPECT_TRUE(Step(*policy, &s, Tick(6 * kMin)).empty());
  auto at7 = Step(*policy, &s, Tick(7 * kMin + kSec));
  ASSERT_EQ(at7.size(), 1u);
  EXPECT_EQ(at7[0].to_replicas, 6);
  EXPECT_NE(at7[0].trigger.find("forecast"), std::string::npos);
  ExpectExplained(at7);
  // Ready by 7 min + 2 min start-up, before the peak at 10 min.
  EXPECT_EQ(s.components[0].Serving(10 * kMin), 6);
}

// ------------------------------------------------------------ security

Event Alert(int64_t t, const std::string& c, int replica,
            model::AlertSeverity sev) {
  Event e;
  e.id = 500;
  e.time_us = t;
  e.kind = EventKind::kSecurityAlert;
  e.alert = {c, replica, sev, "shell spawned in container", "falco"};
  return e;
}

TEST(EcotonePolicySecurity, MediumAlertQuarantinesOnlyTheReplicaAndReplacesIt) {
  State s = MakeShop();
  auto policy = MakeEcotonePolicy();
  auto actions =
      Step(*policy, &s, Alert(kMin, "web", 1, model::AlertSeverity::kMedium));
  ExpectExplained(actions);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].kind, ActionKind::kIsolate);
  EXPECT_EQ(actions[0].isolation, model::IsolationMode::kQuarantine);
  EXPECT_EQ(actions[0].replica, 1);
  EXPECT_EQ(actions[0].event_id, 500);
  EXPECT_FALSE(actions[0].cordon);
  EXPECT_EQ(actions[1].kind, ActionKind::kScale);  // keeps the rest serving.
  EXPECT_EQ(actions[1].to_replicas, 4);
  EXPECT_EQ(s.components[0].replicas[1].phase, ReplicaPhase::kIsolated);
  EXPECT_EQ(s.components[0].replicas[0].phase, ReplicaPhase::kServing);
}

TEST(EcotonePolicySecurity, HighAlertRebuildsFromKnownGood) {
  State s = MakeShop();
  s.components[1].version = "1.1";
  s.components[1].bad_versions = {"1.1"};
  s.components[1].known_good_version = "1.0";
  auto policy = MakeEcotonePolicy();
  auto actions =
      Step(*policy, &s, Alert(kMin, "api", -1, model::AlertSeverity::kHigh));
  ExpectExplained(actions);
  ASSERT_GE(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, ActionKind::kIsolate);
  EXPECT_EQ(actions[0].isolation, model::IsolationMode::kKillAndRebuild);
  EXPECT_EQ(actions[0].to_version, "1.0");
  EXPECT_EQ(actions[0].replica, -1);
  EXPECT_EQ(actions[0].allow, (std::vector<std::string>{"db", "web"}));
  EXPECT_EQ(s.components[1].version, "1.0");
}

TEST(EcotonePolicySecurity, CriticalAlertCordonsAndSaysWhyOthersMove) {
  State s = MakeShop();
  auto policy = MakeEcotonePolicy();
  // api#0 shares z1/r1/h1 with web#0 and db#0.
  auto actions =
      Step(*policy, &s, Alert(kMin, "api", 0, model::AlertSeverity::kCritical));
  ExpectExplained(actions);
  ASSERT_GE(actions.size(), 4u);
  EXPECT_EQ(actions[0].kind, ActionKind::kIsolate);
  EXPECT_TRUE(actions[0].cordon);
  EXPECT_EQ(actions[0].replica, 0);
  std::set<std::string> moved;
  for (size_t k = 1; k < actions.size(); ++k) {
    if (actions[k].kind != ActionKind::kMigrate) continue;
    moved.insert(actions[k].component);
    EXPECT_EQ(actions[k].event_id, 500);
    if (actions[k].component != "api") {
      EXPECT_NE(actions[k].constraint.find("not named by the alert"),
                std::string::npos);
    }
  }
  EXPECT_EQ(moved, (std::set<std::string>{"api", "db", "web"}));
  EXPECT_EQ(s.topology.zones[0].racks[0].hosts[0].state,
            model::CapacityState::kQuarantined);
  for (const auto& c : s.components)
    for (const auto& r : c.replicas) EXPECT_TRUE(Usable(s.topology, r.place));
}

TEST(EcotonePolicySecurity, ComponentQuarantineKeepsDeclaredPartners) {
  State s = MakeShop();
  auto policy = MakeEcotonePolicy();
  auto actions =
      Step(*policy, &s, Alert(kMin, "api", -1, model::AlertSeverity::kLow));
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].isolation, model::IsolationMode::kQuarantine);
  EXPECT_EQ(actions[0].allow, (std::vector<std::string>{"db", "web"}));
  EXPECT_TRUE(s.components[1].isolated);
}

// ------------------------------------------------------------ updates

Event Release(int64_t t, const std::string& c, const std::string& v,
              bool schema = false) {
  Event e;
  e.id = 900 + t / kSec;
  e.time_us = t;
  e.kind = EventKind::kNewVersion;
  e.release.component = c;
  e.release.version = v;
  e.release.image = c + ":" + v;
  e.release.schema_change = schema;
  return e;
}

TEST(EcotonePolicyUpdates, SchemaOwnerFirstThenDependentsInHealthGatedBatches) {
  model::Ecosystem eco = Shop();
  eco.components[0].replicas.initial = 4;
  State s = MakeShop(eco);
  // web gets a 4th replica so batches matter.
  Action add;
  add.kind = ActionKind::kScale;
  add.component = "web";
  add.from_replicas = 3;
  add.to_replicas = 4;
  add.placements = {At("web", 3, "z2", "r2", "h1")};
  ASSERT_TRUE(Apply(add, 0, &s).ok());
  s.components[0].replicas[3].phase = ReplicaPhase::kServing;
  auto policy = MakeEcotonePolicy();
  // All three releases wait together.
  ASSERT_TRUE(Observe(Release(kMin, "web", "2.0"), &s).ok());
  ASSERT_TRUE(Observe(Release(kMin, "api", "2.0"), &s).ok());
  auto db = Step(*policy, &s, Release(kMin, "db", "2.0", true));
  ExpectExplained(db);
  // Only the schema owner starts; api waits for db, web for api.
  ASSERT_EQ(db.size(), 1u);
  EXPECT_EQ(db[0].component, "db");
  EXPECT_EQ(db[0].kind, ActionKind::kRollingUpdate);
  EXPECT_EQ(db[0].batch_size, 1);
  EXPECT_EQ(db[0].max_unavailable, 0);
  EXPECT_EQ(s.components[2].version, "2.0");  // one replica: done in one batch.

  // While db starts up, nobody else moves.
  EXPECT_TRUE(Step(*policy, &s, Tick(kMin + 10 * kSec)).empty());
  // db serves (after its 20 s start-up): api may start.
  auto api = Step(*policy, &s, Tick(kMin + 30 * kSec));
  ASSERT_EQ(api.size(), 1u);
  EXPECT_EQ(api[0].component, "api");
  EXPECT_EQ(api[0].batch_size, 1);  // 2 replicas: 0 unavailable + 1 surge.

  // api's batch serves; the gate holds -> second batch after the soak.
  int64_t t = kMin + 30 * kSec + 20 * kSec;
  Step(*policy, &s, Load(t, "api", 50, 0.001, 20));
  auto api2 = Step(*policy, &s, Tick(t + 61 * kSec));
  ASSERT_EQ(api2.size(), 1u);
  EXPECT_EQ(api2[0].component, "api");
  EXPECT_EQ(api2[0].kind, ActionKind::kRollingUpdate);
  EXPECT_NE(api2[0].constraint.find("health gate held"), std::string::npos);
  EXPECT_EQ(s.components[1].version, "2.0");

  // web (4 replicas): max unavailable 1 + surge 1 -> batches of 2, never
  // more than the budget down.
  t += 61 * kSec + 25 * kSec;
  auto web = Step(*policy, &s, Tick(t));
  ASSERT_EQ(web.size(), 1u);
  EXPECT_EQ(web[0].component, "web");
  EXPECT_EQ(web[0].max_unavailable, 1);
  EXPECT_EQ(web[0].batch_size, 2);
  EXPECT_LE(web[0].batch_size - web[0].max_surge, web[0].max_unavailable);
}

TEST(EcotonePolicyUpdates, GateFailureRollsBack) {
  State s = MakeShop();
  auto policy = MakeEcotonePolicy();
  auto start = Step(*policy, &s, Release(0, "web", "2.0"));
  ASSERT_EQ(start.size(), 1u);
  EXPECT_EQ(start[0].batch_size, 1);  // 3 replicas: 0 unavailable + 1 surge.
  // Before the batch serves, errors are not blamed on it.
  EXPECT_TRUE(Step(*policy, &s, Load(10 * kSec, "web", 100, 0.2)).empty());
  auto rb = Step(*policy, &s, Load(30 * kSec, "web", 100, 0.2));
  ExpectExplained(rb);
  ASSERT_EQ(rb.size(), 1u);
  EXPECT_EQ(rb[0].kind, ActionKind::kRollback);
  EXPECT_EQ(rb[0].to_version, "1.0");
  EXPECT_NE(rb[0].constraint.find("error rate"), std::string::npos);
  EXPECT_FALSE(s.components[0].rollout.active);
  for (const auto& r : s.components[0].replicas) EXPECT_EQ(r.version, "1.0");
}

TEST(EcotonePolicyUpdates, LatencyGateUsesTheLatencySeenAtTheStart) {
  State s = MakeShop();
  auto policy = MakeEcotonePolicy();
  Step(*policy, &s, Load(0, "web", 100, 0.0, 40));
  auto start = Step(*policy, &s, Release(kSec, "web", "2.0"));
  ASSERT_EQ(start.size(), 1u);
  EXPECT_DOUBLE_EQ(start[0].gate_max_latency_ms, 60);
  auto rb = Step(*policy, &s, Load(40 * kSec, "web", 100, 0.0, 90));
  ASSERT_EQ(rb.size(), 1u);
  EXPECT_EQ(rb[0].kind, ActionKind::kRollback);
}

TEST(EcotonePolicyUpdates, BugReportRollsBackAndBlocksTheVersion) {
  State s = MakeShop();
  auto policy = MakeEcotonePolicy();
  Step(*policy, &s, Release(0, "db", "2.0"));
  ASSERT_EQ(s.components[2].version, "2.0");
  Event bug;
  bug.id = 4242;
  bug.time_us = 10 * kMin;
  bug.kind = EventKind::kBugReport;
  bug.bug = {"db", "2.0", model::AlertSeverity::kHigh, "corrupts carts"};
  auto rb = Step(*policy, &s, bug);
  ExpectExplained(rb);
  ASSERT_EQ(rb.size(), 1u);
  EXPECT_EQ(rb[0].kind, ActionKind::kRollback);
  EXPECT_EQ(rb[0].to_version, "1.0");
  EXPECT_EQ(rb[0].event_id, 4242);
  EXPECT_EQ(s.components[2].version, "1.0");
  // The same release announced again is not rolled out.
  EXPECT_TRUE(Step(*policy, &s, Release(11 * kMin, "db", "2.0")).empty());
}

// ------------------------------------------------------------ Online Boutique

class OnlineBoutique : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lr = manifest::LoadFiles(
        {std::string(ECOTONE_SHARED_DATA) +
         "/manifests/online-boutique/kubernetes-manifests.yaml"},
        {});
    ASSERT_TRUE(lr.ok()) << lr.status().ToString();
    eco_ = lr->ecosystem;
    for (auto& c : eco_.components) {
      c.capacity_rps_per_replica = 200;
      c.startup_us = 15 * kSec;
      if (c.name == "frontend" || c.name == "cartservice")
        c.replicas.initial = 3;
      // The manifest runs redis with an emptyDir; it holds the carts, so the
      // tests treat it as the stateful component it is.
      if (c.name == "redis-cart") c.stateful = true;
    }
    auto t = manifest::LoadInfraFile(std::string(ECOTONE_SOURCE_DIR) +
                                     "/examples/infra-3zones.yaml");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    topo_ = *t;
    placement::SolveOptions so;
    so.seed = 1;
    so.max_iterations = 5000;
    auto placed =
        placement::PlaceEcosystem(eco_, topo_, nullptr, {}, so, "heuristic");
    ASSERT_TRUE(placed.ok()) << placed.status().ToString();
    ASSERT_FALSE(placed->plan.assignments.empty()) << placed->infeasible;
    auto st = MakeState(eco_, topo_, placed->plan, 0);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    s_ = std::move(st).value();
  }
  int Index(const std::string& name) const { return s_.ComponentIndex(name); }

  model::Ecosystem eco_;
  model::Topology topo_;
  State s_;
  std::unique_ptr<Policy> policy_ = MakeEcotonePolicy();
};

TEST_F(OnlineBoutique, RackFailureReplacesOnlyItsReplicas) {
  // The rack holding frontend#0.
  const model::Place f0 = s_.components[Index("frontend")].replicas[0].place;
  std::set<std::string> on_rack;
  for (size_t ci = 0; ci < s_.components.size(); ++ci)
    for (const auto& r : s_.components[ci].replicas)
      if (r.place.zone == f0.zone && r.place.rack == f0.rack)
        on_rack.insert(eco_.components[ci].name + "#" +
                       std::to_string(r.replica));
  auto actions =
      Step(*policy_, &s_,
           Hardware(kMin, f0.zone, f0.rack, "", HardwareChange::kFailed));
  ExpectExplained(actions);
  std::set<std::string> moved;
  for (const auto& a : actions) {
    EXPECT_EQ(a.kind, ActionKind::kMigrate);
    moved.insert(a.component + "#" + std::to_string(a.replica));
  }
  EXPECT_EQ(moved, on_rack);
  for (const auto& c : s_.components)
    for (const auto& r : c.replicas) EXPECT_TRUE(Usable(s_.topology, r.place));
  // frontend keeps its spread over >= 2 zones.
  std::set<std::string> zones;
  for (const auto& r : s_.components[Index("frontend")].replicas)
    zones.insert(r.place.zone);
  EXPECT_GE(zones.size(), 2u);
}

TEST_F(OnlineBoutique, ZoneOutageHealsInOneDecision) {
  std::string zone = topo_.zones[0].name;
  auto actions = Step(*policy_, &s_,
                      Hardware(kMin, zone, "", "", HardwareChange::kFailed));
  ExpectExplained(actions);
  for (const auto& c : s_.components)
    for (const auto& r : c.replicas) EXPECT_NE(r.place.zone, zone);
  // All serving again after the start-up time.
  for (const auto& c : s_.components)
    EXPECT_EQ(c.Serving(kMin + 15 * kSec), static_cast<int>(c.replicas.size()));
}

TEST_F(OnlineBoutique, FrontendOverloadScalesOutNearItsPartners) {
  auto actions = Step(*policy_, &s_, Load(kMin, "frontend", 1000));
  ASSERT_EQ(actions.size(), 1u);
  ExpectExplained(actions);
  EXPECT_EQ(actions[0].to_replicas, 5);  // ceil(1000 / 200)
  EXPECT_EQ(actions[0].placements.size(), 2u);
  EXPECT_EQ(s_.components[Index("frontend")].replicas.size(), 5u);
}

TEST_F(OnlineBoutique, CompromisedCartReplicaIsIsolatedAndReplaced) {
  auto actions =
      Step(*policy_, &s_,
           Alert(kMin, "cartservice", 2, model::AlertSeverity::kMedium));
  ExpectExplained(actions);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].kind, ActionKind::kIsolate);
  EXPECT_EQ(actions[0].replica, 2);
  EXPECT_EQ(actions[1].kind, ActionKind::kScale);
  const auto& cart = s_.components[Index("cartservice")];
  EXPECT_EQ(cart.Serving(kMin), 2);
  EXPECT_EQ(cart.Serving(kMin + 15 * kSec), 3);
}

TEST_F(OnlineBoutique, ReleasesFollowTheDependencyOrder) {
  // cartservice depends on redis-cart (its data store).
  int cart = Index("cartservice"), redis = Index("redis-cart");
  ASSERT_GE(cart, 0);
  ASSERT_GE(redis, 0);
  ASSERT_TRUE(std::binary_search(s_.depends_on[cart].begin(),
                                 s_.depends_on[cart].end(), redis));
  ASSERT_TRUE(Observe(Release(kMin, "cartservice", "v2"), &s_).ok());
  auto first = Step(*policy_, &s_, Release(kMin, "redis-cart", "v2", true));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].component, "redis-cart");
  auto next = Step(*policy_, &s_, Tick(kMin + 20 * kSec));
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].component, "cartservice");
}

TEST_F(OnlineBoutique, RackMaintenanceDrainsStatefulFirstWithinTheRateLimit) {
  // The rack holding redis-cart (the carts' store, stateful).
  const model::Place place =
      s_.components[Index("redis-cart")].replicas[0].place;
  int on_rack = 0;
  for (const auto& c : s_.components)
    for (const auto& r : c.replicas)
      on_rack += r.place.zone == place.zone && r.place.rack == place.rack;
  ASSERT_GT(on_rack, EcotoneOptions{}.max_migrations_per_window);
  Event m = Hardware(0, place.zone, place.rack, "",
                     HardwareChange::kMaintenance, 2 * 60 * kMin);
  auto first = Step(*policy_, &s_, m);
  ExpectExplained(first);
  ASSERT_EQ(static_cast<int>(first.size()),
            EcotoneOptions{}.max_migrations_per_window);
  EXPECT_EQ(first[0].component, "redis-cart");
  int moved = static_cast<int>(first.size());
  int64_t t = 0;
  while (moved < on_rack && t < 60 * kMin) {
    t += 61 * kSec;
    auto more = Step(*policy_, &s_, Tick(t));
    EXPECT_LE(static_cast<int>(more.size()),
              EcotoneOptions{}.max_migrations_per_window);
    moved += static_cast<int>(more.size());
  }
  EXPECT_EQ(moved, on_rack);
  for (const auto& c : s_.components)
    for (const auto& r : c.replicas)
      EXPECT_FALSE(r.place.zone == place.zone && r.place.rack == place.rack);
}

TEST_F(OnlineBoutique, ZoneRecoveryRebalancesWithinTheRateLimit) {
  std::string zone = s_.components[Index("frontend")].replicas[0].place.zone;
  auto healed =
      Step(*policy_, &s_, Hardware(0, zone, "", "", HardwareChange::kFailed));
  auto back =
      Step(*policy_, &s_,
           Hardware(10 * kMin, zone, "", "", HardwareChange::kRecovered));
  ExpectExplained(back);
  int recovered = 0;
  for (const auto& a : back) {
    EXPECT_EQ(a.kind, ActionKind::kRecover);
    recovered += a.to.zone == zone;
  }
  EXPECT_LE(static_cast<int>(back.size()),
            EcotoneOptions{}.max_migrations_per_window);
  EXPECT_GT(recovered, 0);  // the zone was chosen for a reason: some come back.
  // It settles: the moves back over the next half hour are bounded by what
  // the failure moved away, and then stop.
  int total = static_cast<int>(back.size());
  int64_t t = 10 * kMin;
  for (int k = 0; k < 30; ++k) {
    t += 61 * kSec;
    total += static_cast<int>(Step(*policy_, &s_, Tick(t)).size());
  }
  EXPECT_LE(total, static_cast<int>(healed.size()));
  EXPECT_TRUE(policy_->Decide(s_, Tick(t + 61 * kSec), t + 61 * kSec).empty());
}

TEST_F(OnlineBoutique, NoisyFlatFrontendLoadScalesAtMostTwicePerDay) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0, 0.1);
  int scale = 0;
  for (int64_t t = kMin; t <= 24 * 60 * kMin; t += kMin) {
    Event e;
    e.time_us = t;
    e.kind = EventKind::kMetrics;
    for (const char* c : {"frontend", "cartservice", "checkoutservice"}) {
      model::MetricSample m;
      m.component = c;
      m.requests_per_s =
          std::max(0.0, 450 * (1 + noise(rng)));  // 75 % of 3 × 200.
      e.metrics.push_back(m);
    }
    for (const Action& a : Step(*policy_, &s_, e))
      scale += a.kind == ActionKind::kScale;
  }
  EXPECT_LE(scale, 2 * 3);  // three components, at most 2 each.
  EXPECT_LE(static_cast<int>(s_.components[Index("frontend")].replicas.size()),
            4);
}

TEST_F(OnlineBoutique, BadCheckoutReleaseIsRolledBackByItsGateAndBugReport) {
  auto start = Step(*policy_, &s_, Release(0, "checkoutservice", "v2"));
  ASSERT_EQ(start.size(), 1u);
  EXPECT_EQ(start[0].kind, ActionKind::kRollingUpdate);
  // Served 20 s later with 30 % errors: rolled back.
  auto rb = Step(*policy_, &s_, Load(20 * kSec, "checkoutservice", 50, 0.3));
  ASSERT_EQ(rb.size(), 1u);
  EXPECT_EQ(rb[0].kind, ActionKind::kRollback);
  EXPECT_EQ(rb[0].to_version,
            eco_.components[Index("checkoutservice")].version);
  // A bug report on frontend's running version with no other version known:
  // nothing to roll back to, no action.
  Event bug;
  bug.time_us = kMin;
  bug.kind = EventKind::kBugReport;
  bug.bug = {"frontend", s_.components[Index("frontend")].version,
             model::AlertSeverity::kLow, "typo"};
  EXPECT_TRUE(Step(*policy_, &s_, bug).empty());
}

TEST_F(OnlineBoutique, CriticalAlertWithoutHostsDoesNotCordonARack) {
  auto actions =
      Step(*policy_, &s_,
           Alert(kMin, "paymentservice", -1, model::AlertSeverity::kCritical));
  ASSERT_GE(actions.size(), 1u);
  EXPECT_EQ(actions[0].isolation, model::IsolationMode::kKillAndRebuild);
  EXPECT_FALSE(actions[0].cordon);
  bool explained = false;
  for (const auto& alt : actions[0].alternatives)
    explained =
        explained || alt.find("hosts are not modelled") != std::string::npos;
  EXPECT_TRUE(explained);
  for (const auto& a : actions) EXPECT_EQ(a.component, "paymentservice");
}

// Hosts modelled in one zone only, zones without racks elsewhere
// (examples/infra-2regions-hosts.yaml): a host failure re-places on racks,
// picks hosts where the rack has them, and nothing lands on the quarantined
// host h3.
TEST(OnlineBoutiqueOnHosts, HostFailureInAMixedTopology) {
  auto lr = manifest::LoadFiles(
      {std::string(ECOTONE_SHARED_DATA) +
       "/manifests/online-boutique/kubernetes-manifests.yaml"},
      {});
  ASSERT_TRUE(lr.ok()) << lr.status().ToString();
  model::Ecosystem eco = lr->ecosystem;
  for (auto& c : eco.components) {
    c.placement.allowed_regions = {"eu-central-1"};  // data stays in the EU.
    c.startup_us = 15 * kSec;
  }
  auto t = manifest::LoadInfraFile(std::string(ECOTONE_SOURCE_DIR) +
                                   "/examples/infra-2regions-hosts.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  placement::SolveOptions so;
  so.max_iterations = 5000;
  auto placed =
      placement::PlaceEcosystem(eco, *t, nullptr, {}, so, "heuristic");
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  ASSERT_FALSE(placed->plan.assignments.empty()) << placed->infeasible;
  auto made = MakeState(eco, *t, placed->plan, 0);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  State s = std::move(made).value();
  // The busiest host of eu-central-1a fails.
  std::map<std::string, int> per_host;
  for (const auto& c : s.components)
    for (const auto& r : c.replicas)
      if (!r.place.host.empty()) ++per_host[r.place.rack + "/" + r.place.host];
  ASSERT_FALSE(per_host.empty());
  auto busiest = std::max_element(
      per_host.begin(), per_host.end(),
      [](const auto& a, const auto& b) { return a.second < b.second; });
  std::string rack = busiest->first.substr(0, busiest->first.find('/'));
  std::string host = busiest->first.substr(busiest->first.find('/') + 1);
  auto policy = MakeEcotonePolicy();
  auto actions = Step(
      *policy, &s,
      Hardware(kMin, "eu-central-1a", rack, host, HardwareChange::kFailed));
  ExpectExplained(actions);
  EXPECT_EQ(static_cast<int>(actions.size()), busiest->second);
  for (const auto& a : actions) {
    EXPECT_EQ(a.kind, ActionKind::kMigrate);
    if (a.to.zone == "eu-central-1a") {
      EXPECT_FALSE(a.to.host.empty());
    }
    EXPECT_NE(a.to.host, "h3");
  }
  for (const auto& c : s.components)
    for (const auto& r : c.replicas) {
      EXPECT_TRUE(Usable(s.topology, r.place)) << r.place.ToString();
      EXPECT_EQ(r.place.zone.rfind("eu-central-1", 0), 0u);
    }
}

}  // namespace
}  // namespace ecotone::engine
