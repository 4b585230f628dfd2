// Ecotone's reconfiguration policy (docs/engine.md lists every rule).
//
// Decide(state, event, now) dispatches on the event and then runs the rules
// that re-evaluate the world (heal, drain, rebalance, rollouts, releases,
// scaling) where the event can have changed their inputs. At most one
// structural action per component and decision (a component being moved,
// isolated or updated is not also scaled in the same decision); actions are
// emitted in a deterministic order (rules in a fixed order; within a rule,
// stateful components first where it matters, then by component name and
// replica number).
#include "ecotone/engine/ecotone_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "replan.h"

namespace ecotone::engine {
namespace {

using model::Action;
using model::ActionKind;
using model::AlertSeverity;
using model::Event;
using model::EventKind;
using model::HardwareChange;
using model::Place;

// ---------------------------------------------------------------- helpers

std::string Dur(int64_t us) {
  char buf[64];
  double s = us / 1e6;
  if (s < 120)
    std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 7200)
    std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  else
    std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  return buf;
}

std::string Num(double v, int digits = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string Pct(double f) { return Num(f * 100, 0) + "%"; }

int64_t StartupUs(const model::Component& c) {
  return c.startup_us > 0 ? c.startup_us : kDefaultStartupUs;
}

bool IsStateful(const model::Component& c) {
  return c.stateful || c.kind == model::ComponentKind::kDatabase ||
         c.kind == model::ComponentKind::kQueue ||
         c.kind == model::ComponentKind::kStorage;
}

bool Inside(const Place& p, const model::HardwareEvent& h) {
  return p.zone == h.zone && (h.rack.empty() || p.rack == h.rack) &&
         (h.host.empty() || p.host == h.host);
}

std::string Target(const model::HardwareEvent& h) {
  std::string s =
      h.host.empty() ? (h.rack.empty() ? "zone " : "rack ") : "host ";
  s += h.zone;
  if (!h.rack.empty()) s += "/" + h.rack;
  if (!h.host.empty()) s += "/" + h.host;
  return s;
}

// The first unusable level of a place ("host z/r/h failed"), or "" if usable.
std::string Unusable(const model::Topology& t, const Place& p) {
  for (const auto& z : t.zones) {
    if (z.name != p.zone) continue;
    if (!model::IsUsable(z.state))
      return "zone " + z.name + " " +
             std::string(model::CapacityStateName(z.state));
    for (const auto& r : z.racks) {
      if (r.name != p.rack) continue;
      if (!model::IsUsable(r.state))
        return "rack " + z.name + "/" + r.name + " " +
               std::string(model::CapacityStateName(r.state));
      for (const auto& h : r.hosts)
        if (h.name == p.host && !model::IsUsable(h.state))
          return "host " + z.name + "/" + r.name + "/" + h.name + " " +
                 std::string(model::CapacityStateName(h.state));
    }
    return "";
  }
  return "zone " + p.zone + " unknown";
}

// Every zone, rack and host whose capacity is not usable (the few that
// replicas must leave), as hardware targets. O(zones + racks + hosts).
std::vector<model::HardwareEvent> UnusableTargets(const model::Topology& t) {
  std::vector<model::HardwareEvent> out;
  for (const auto& z : t.zones) {
    if (!model::IsUsable(z.state)) {
      out.push_back({z.name, "", "", HardwareChange::kFailed, 0});
      continue;
    }
    for (const auto& r : z.racks) {
      if (!model::IsUsable(r.state)) {
        out.push_back({z.name, r.name, "", HardwareChange::kFailed, 0});
        continue;
      }
      for (const auto& h : r.hosts)
        if (!model::IsUsable(h.state))
          out.push_back({z.name, r.name, h.name, HardwareChange::kFailed, 0});
    }
  }
  return out;
}

// Sets the state of the zone / rack / host `h` names in `t` (no-op if absent).
void MarkState(model::Topology* t, const model::HardwareEvent& h,
               model::CapacityState st) {
  for (auto& z : t->zones) {
    if (z.name != h.zone) continue;
    if (h.rack.empty()) {
      z.state = st;
      return;
    }
    for (auto& r : z.racks) {
      if (r.name != h.rack) continue;
      if (h.host.empty()) {
        r.state = st;
        return;
      }
      for (auto& x : r.hosts)
        if (x.name == h.host) x.state = st;
    }
  }
}

int MigrationsSince(const State& s, int64_t since_us) {
  const auto& v = s.migration_times_us;
  return static_cast<int>(v.end() -
                          std::upper_bound(v.begin(), v.end(), since_us));
}

// Replicas that serve or will serve (not down, not isolated).
int Active(const ComponentState& c) {
  int n = 0;
  for (const auto& r : c.replicas)
    if (r.phase == ReplicaPhase::kServing || r.phase == ReplicaPhase::kStarting)
      ++n;
  return n;
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string Join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// Utilisation of `active` replicas under the component's latest load: the
// larger of requests/s over capacity_rps_per_replica and cpu over the cpu
// request × target; NaN when neither is known.
double Utilisation(const ComponentState& c, const model::Component& comp,
                   int active, double cpu_target) {
  if (active <= 0) return model::kNoValue;
  double u = model::kNoValue;
  if (model::HasValue(c.load.requests_per_s) &&
      comp.capacity_rps_per_replica > 0)
    u = c.load.requests_per_s / (active * comp.capacity_rps_per_replica);
  if (model::HasValue(c.load.cpu_millicores) &&
      comp.requests.cpu_millicores > 0) {
    // cpu is the mean per replica over the replicas serving when sampled.
    int serving = 0;
    for (const auto& r : c.replicas)
      if (r.phase == ReplicaPhase::kServing) ++serving;
    double total = c.load.cpu_millicores * std::max(1, serving);
    double uc = total / (active * comp.requests.cpu_millicores * cpu_target);
    u = model::HasValue(u) ? std::max(u, uc) : uc;
  }
  return u;
}

// The inputs of a rebalancing solve, hashed (FNV-1a): every replica's
// place, phase and home, the capacity states of the topology, the notices.
// O(replicas + hosts), far below one solve.
uint64_t RebalanceKey(const State& s, int budget) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](std::string_view v) {
    for (unsigned char ch : v) h = (h ^ ch) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
  };
  auto num = [&](int64_t v) {
    for (int k = 0; k < 8; ++k)
      h = (h ^ static_cast<uint64_t>((v >> (8 * k)) & 0xff)) *
          1099511628211ULL;
  };
  num(budget);
  for (const auto& c : s.components) {
    num(static_cast<int64_t>(c.replicas.size()));
    for (const auto& r : c.replicas) {
      num(r.replica);
      num(static_cast<int64_t>(r.phase));
      mix(r.place.zone), mix(r.place.rack), mix(r.place.host);
      mix(r.home.zone), mix(r.home.rack), mix(r.home.host);
    }
  }
  for (const auto& z : s.topology.zones) {
    num(static_cast<int64_t>(z.state));
    for (const auto& r : z.racks) {
      num(static_cast<int64_t>(r.state));
      for (const auto& x : r.hosts) num(static_cast<int64_t>(x.state));
    }
  }
  for (const auto& n : s.notices) {
    mix(n.hardware.zone), mix(n.hardware.rack), mix(n.hardware.host);
    num(static_cast<int64_t>(n.hardware.change));
  }
  return h == 0 ? 1 : h;
}

// ------------------------------------------------------------ the policy

class EcotonePolicy final : public Policy {
 public:
  explicit EcotonePolicy(EcotoneOptions o) : o_(std::move(o)) {}
  std::string_view name() const override { return "ecotone"; }
  std::vector<Action> Decide(const State& state, const Event& event,
                             int64_t now_us) const override;

 private:
  struct Ctx {
    const State& s;
    const Event& e;
    int64_t now;
    std::vector<Action> out;
    std::vector<char> touched;  // per component: a structural action already.
    int migration_budget = 0;   // planned migrations left in this window.
  };

  Action Base(Ctx& x, ActionKind kind, int ci, std::string trigger,
              int64_t event_id) const {
    Action a;
    a.time_us = x.now;
    a.ecosystem = x.s.ecosystem.name;
    a.kind = kind;
    a.component = x.s.ecosystem.components[ci].name;
    a.trigger = std::move(trigger);
    a.event_id = event_id;
    return a;
  }

  // Rules.
  void Heal(Ctx& x, const std::string& trigger, int64_t event_id) const;
  void HealEach(Ctx& x, std::vector<int> focus, const model::Topology& topo,
                const std::string& trigger, int64_t event_id,
                const std::string& why) const;
  void Drain(Ctx& x) const;
  void Rebalance(Ctx& x) const;
  void Secure(Ctx& x) const;
  void BugReport(Ctx& x) const;
  void Rollouts(Ctx& x, const std::vector<int>& components) const;
  void Releases(Ctx& x) const;
  void Scale(Ctx& x, int ci, bool forecast_event) const;

  // Helpers.
  std::string RollbackTarget(const ComponentState& c,
                             const std::string& bad) const;
  int UpperReplicas(const model::Component& c) const {
    return c.replicas.max > c.replicas.initial
               ? c.replicas.max
               : std::max(c.replicas.initial, o_.default_max_replicas);
  }
  bool Healthy(const State& s, int ci, int64_t now, std::string* why) const;
  void EmitMoves(Ctx& x, const internal::Replan& plan, size_t limit,
                 ActionKind kind, bool live, const std::string& trigger,
                 int64_t event_id, const std::string& constraint,
                 const std::vector<std::string>& alternatives) const;

  EcotoneOptions o_;
};

std::vector<Action> EcotonePolicy::Decide(const State& s, const Event& e,
                                          int64_t now) const {
  Ctx x{s, e, now, {}, std::vector<char>(s.components.size(), 0), 0};
  x.migration_budget =
      std::max(0, o_.max_migrations_per_window -
                      MigrationsSince(s, now - o_.migration_window_us));
  std::vector<int> all(s.components.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);

  switch (e.kind) {
    case EventKind::kHardware: {
      const auto& h = e.hardware;
      std::string what =
          Target(h) + " " + std::string(model::HardwareChangeName(h.change));
      if (h.change == HardwareChange::kFailed) Heal(x, what, e.id);
      if (h.change == HardwareChange::kDegraded ||
          h.change == HardwareChange::kMaintenance)
        Drain(x);
      if (h.change == HardwareChange::kRecovered) {
        Heal(x, "", e.id);  // replicas still down elsewhere, if any.
        Rebalance(x);
      }
      break;
    }
    case EventKind::kSecurityAlert:
      Secure(x);
      break;
    case EventKind::kBugReport:
      BugReport(x);
      break;
    case EventKind::kNewVersion:
      Releases(x);
      break;
    case EventKind::kForecastUpdated: {
      int ci = s.ComponentIndex(e.forecast.component);
      if (ci >= 0) Scale(x, ci, true);
      break;
    }
    case EventKind::kMetrics: {
      std::vector<int> v;
      for (size_t k = 0; k < e.metrics.size(); ++k) {
        const auto& m = e.metrics[k];
        // Samples usually come in the ecosystem's order: try index k first.
        if (k < s.ecosystem.components.size() &&
            s.ecosystem.components[k].name == m.component)
          v.push_back(static_cast<int>(k));
        else if (int ci = s.ComponentIndex(m.component); ci >= 0)
          v.push_back(ci);
      }
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
      Rollouts(x, v);
      for (int ci : v) Scale(x, ci, false);
      break;
    }
    case EventKind::kTick: {
      if (s.last_hardware_us == kNever ||
          now - s.last_hardware_us <= o_.heal_retry_window_us)
        Heal(x, "", 0);
      Drain(x);
      if (s.last_recovered_us != kNever &&
          now - s.last_recovered_us <= o_.recover_window_us &&
          (now - s.last_recovered_us <= o_.recover_settle_us ||
           (!s.migration_times_us.empty() &&
            s.migration_times_us.back() > s.last_recovered_us)))
        Rebalance(x);
      Rollouts(x, all);
      Releases(x);
      // Reactive scaling follows metrics events; ticks carry the forecast
      // schedules forward.
      for (int ci : all)
        if (!s.components[ci].forecast.replicas.empty()) Scale(x, ci, false);
      break;
    }
  }
  return std::move(x.out);
}

void EcotonePolicy::EmitMoves(
    Ctx& x, const internal::Replan& plan, size_t limit, ActionKind kind,
    bool live, const std::string& trigger, int64_t event_id,
    const std::string& constraint,
    const std::vector<std::string>& alternatives) const {
  std::vector<internal::ReplicaMove> moves = plan.moves;
  const auto& comps = x.s.ecosystem.components;
  std::stable_sort(
      moves.begin(), moves.end(), [&](const auto& a, const auto& b) {
        bool sa = IsStateful(comps[a.component]),
             sb = IsStateful(comps[b.component]);
        if (sa != sb)
          return kind == ActionKind::kRecover ? sb
                                              : sa;  // drains: stateful first.
        if (comps[a.component].name != comps[b.component].name)
          return comps[a.component].name < comps[b.component].name;
        return a.replica < b.replica;
      });
  for (size_t k = 0; k < moves.size() && k < limit; ++k) {
    const auto& m = moves[k];
    const model::Component& comp = comps[m.component];
    std::string t = trigger;
    if (t.empty()) t = Unusable(x.s.topology, m.from);
    if (t.empty()) t = "replica down at " + m.from.ToString();
    Action a = Base(x, kind, m.component, t, event_id);
    a.replica = m.replica;
    a.from = m.from;
    a.to = m.to;
    a.live = live;
    a.alternatives = alternatives;
    a.constraint = constraint;
    std::string who = comp.name + "#" + std::to_string(m.replica);
    if (kind == ActionKind::kRecover) {
      a.expected_effect = who + " back to " + m.to.ToString() +
                          ": ecosystem cost " + Num(plan.objective_before, 4) +
                          " -> " + Num(plan.objective_after, 4) +
                          " per hour (incl. migration costs)";
    } else if (live) {
      a.expected_effect = who + " keeps serving from " + m.from.ToString() +
                          " until its copy at " + m.to.ToString() +
                          " is up (~" + Dur(StartupUs(comp)) +
                          "); nothing left on the hardware at risk";
    } else {
      a.expected_effect = who + " serving again at " + m.to.ToString() +
                          " in ~" + Dur(StartupUs(comp)) + " (start-up); " +
                          std::to_string(plan.kept) +
                          " replicas of the neighbourhood keep their place";
    }
    x.touched[m.component] = 1;
    x.out.push_back(std::move(a));
  }
}

// ---------------------------------------------------------------- hardware

// Replicas on failed / draining / quarantined capacity (or down) are
// re-placed at once with the placement module's incremental re-placement.
void EcotonePolicy::Heal(Ctx& x, const std::string& trigger,
                         int64_t event_id) const {
  const State& s = x.s;
  std::vector<int> focus;
  int displaced = 0;
  const std::vector<model::HardwareEvent> unusable =
      UnusableTargets(s.topology);
  for (size_t ci = 0; ci < s.components.size(); ++ci) {
    bool any = false;
    for (const auto& r : s.components[ci].replicas) {
      if (r.phase == ReplicaPhase::kIsolated || r.place.empty()) continue;
      // Degraded and announced (maintenance) hardware is Drain's: ahead of
      // the deadline, rate-limited.
      auto inside = [&](const model::HardwareEvent& h) {
        return Inside(r.place, h);
      };
      bool lost =
          r.phase == ReplicaPhase::kDown ||
          (std::any_of(unusable.begin(), unusable.end(), inside) &&
           std::none_of(s.notices.begin(), s.notices.end(), [&](const auto& n) {
             return Inside(r.place, n.hardware);
           }));
      if (lost) {
        any = true;
        ++displaced;
      }
    }
    if (any) focus.push_back(static_cast<int>(ci));
  }
  if (focus.empty()) return;
  // Announced (degraded / maintenance) hardware receives nothing new.
  model::Topology topo = s.topology;
  for (const auto& n : s.notices)
    MarkState(&topo, n.hardware, model::CapacityState::kDraining);
  internal::ReplanRequest req;
  req.focus = focus;
  req.topology = &topo;
  auto plan = internal::ReplanAround(s, req, o_);
  if (!plan.ok() || !plan->feasible) {
    HealEach(x, focus, topo, trigger, event_id,
             plan.ok() ? plan->infeasible : plan.status().ToString());
    return;
  }
  std::vector<std::string> alternatives = {
      "wait for the hardware to recover: the replicas stay down for an unknown "
      "time",
      "restart in place: the capacity is not usable",
      "full re-plan of the ecosystem: would move healthy replicas; incremental "
      "re-placement "
      "keeps " +
          std::to_string(plan->kept) +
          " replicas of the neighbourhood in place"};
  std::string constraint = "capacity lost: " + std::to_string(displaced) +
                           " replicas re-placed at once (failures are not "
                           "rate-limited); placement by "
                           "proximity, spread and capacity over " +
                           std::to_string(plan->neighbourhood_components) +
                           " components (" + plan->solver + ")";
  EmitMoves(x, *plan, plan->moves.size(), ActionKind::kMigrate, false, trigger,
            event_id, constraint, alternatives);
}

// When the neighbourhood as a whole has no plan (capacity short, a spread
// that cannot be met), re-place component by component, stateful first, each
// on the state the previous moves leave: whatever can serve again does.
void EcotonePolicy::HealEach(Ctx& x, std::vector<int> focus,
                             const model::Topology& topo,
                             const std::string& trigger, int64_t event_id,
                             const std::string& why) const {
  const auto& comps = x.s.ecosystem.components;
  std::stable_sort(focus.begin(), focus.end(), [&](int a, int b) {
    bool sa = IsStateful(comps[a]), sb = IsStateful(comps[b]);
    if (sa != sb) return sa;
    return comps[a].name < comps[b].name;
  });
  State work = x.s;
  std::vector<std::string> stuck;
  for (int c : focus) {
    internal::ReplanRequest req;
    req.focus = {c};
    req.topology = &topo;
    auto plan = internal::ReplanAround(work, req, o_);
    if (!plan.ok() || !plan->feasible) {
      stuck.push_back(comps[c].name);
      continue;
    }
    std::erase_if(plan->moves, [&](const internal::ReplicaMove& m) {
      return m.component != c;
    });
    size_t before = x.out.size();
    EmitMoves(x, *plan, plan->moves.size(), ActionKind::kMigrate, false,
              trigger, event_id,
              "capacity lost; the neighbourhood as a whole has no plan (" +
                  why +
                  "): re-placed component by component, stateful "
                  "first" +
                  (stuck.empty() ? std::string()
                                 : "; still without a place: " + Join(stuck)),
              {"wait for the hardware to recover: the replicas stay down for "
               "an unknown time",
               "nothing: a joint re-placement of the neighbourhood is "
               "infeasible"});
    for (size_t k = before; k < x.out.size(); ++k)
      (void)Apply(x.out[k], x.now, &work);
  }
}

// Replicas on degraded / maintenance hardware move ahead of the failure,
// stateful first, within the migration rate limit unless the deadline needs
// more.
void EcotonePolicy::Drain(Ctx& x) const {
  const State& s = x.s;
  if (s.notices.empty()) return;
  model::Topology topo = s.topology;
  for (const auto& n : s.notices)
    MarkState(&topo, n.hardware, model::CapacityState::kDraining);
  for (const auto& n : s.notices) {
    std::vector<int> focus;
    int on = 0;
    for (size_t ci = 0; ci < s.components.size(); ++ci) {
      if (x.touched[ci]) continue;
      bool any = false;
      for (const auto& r : s.components[ci].replicas)
        if ((r.phase == ReplicaPhase::kServing ||
             r.phase == ReplicaPhase::kStarting) &&
            Inside(r.place, n.hardware)) {
          any = true;
          ++on;
        }
      if (any) focus.push_back(static_cast<int>(ci));
    }
    if (focus.empty()) continue;
    internal::ReplanRequest req;
    req.focus = focus;
    req.topology = &topo;
    auto plan = internal::ReplanAround(s, req, o_);
    if (!plan.ok() || !plan->feasible) continue;
    // Only the replicas on the announced hardware (a fallback full solve may
    // propose more; those wait).
    std::erase_if(plan->moves, [&](const internal::ReplicaMove& m) {
      return !Inside(m.from, n.hardware);
    });
    const int64_t deadline =
        n.hardware.change == HardwareChange::kMaintenance &&
                n.hardware.deadline_us > 0
            ? n.hardware.deadline_us
            : n.since_us + o_.degraded_deadline_us;
    const int pending = static_cast<int>(plan->moves.size());
    int needed;  // per window to finish by the deadline.
    if (deadline <= x.now) {
      needed = pending;
    } else {
      int64_t windows =
          std::max<int64_t>(1, (deadline - x.now) / o_.migration_window_us);
      needed = static_cast<int>((pending + windows - 1) / windows);
    }
    // The deadline's pace counts the migrations already made this window.
    const int used = MigrationsSince(s, x.now - o_.migration_window_us);
    int allowed = std::max(x.migration_budget, needed - used);
    allowed = std::min(allowed, pending);
    if (allowed <= 0) continue;
    std::string change(model::HardwareChangeName(n.hardware.change));
    std::string trigger = Target(n.hardware) + " " + change +
                          ", to be empty by +" +
                          Dur(std::max<int64_t>(0, deadline - n.since_us));
    std::string constraint =
        "migration rate limit " + std::to_string(o_.max_migrations_per_window) +
        " per " + Dur(o_.migration_window_us) + " (" +
        std::to_string(x.migration_budget) + " left); deadline in " +
        Dur(std::max<int64_t>(0, deadline - x.now)) + " needs " +
        std::to_string(needed) + " per window; " + std::to_string(pending) +
        " replicas to move, stateful first";
    std::vector<std::string> alternatives = {
        "wait for the failure: the replicas would go down with the hardware",
        "move all " + std::to_string(pending) +
            " at once: exceeds the migration rate limit when the deadline "
            "allows spreading "
            "them",
    };
    EmitMoves(x, *plan, static_cast<size_t>(allowed), ActionKind::kMigrate,
              true, trigger, n.event_id, constraint, alternatives);
    x.migration_budget = std::max(0, x.migration_budget - allowed);
  }
}

// After capacity returns, re-optimise with migration costs and move back
// what pays, within the migration rate limit.
void EcotonePolicy::Rebalance(Ctx& x) const {
  const State& s = x.s;
  if (x.migration_budget <= 0) return;
  for (const auto& c : s.components)
    for (const auto& r : c.replicas)
      if (r.phase == ReplicaPhase::kDown ||
          (r.phase == ReplicaPhase::kStarting && r.ready_us > x.now))
        return;  // still healing: rebalance once everything serves.
  model::Topology topo = s.topology;
  for (const auto& n : s.notices)
    MarkState(&topo, n.hardware, model::CapacityState::kDraining);
  // The components with replicas moved off capacity that is usable again.
  std::vector<int> focus;
  std::vector<char> in_focus(s.components.size(), 0);
  for (size_t ci = 0; ci < s.components.size(); ++ci)
    for (const auto& r : s.components[ci].replicas)
      if (!r.home.empty() && Unusable(topo, r.home).empty()) {
        focus.push_back(static_cast<int>(ci));
        in_focus[ci] = 1;
        break;
      }
  if (focus.empty()) return;
  // Quiet ticks: the same inputs as the last solve that found no gain.
  const uint64_t key = RebalanceKey(s, x.migration_budget);
  if (key == s.rebalance_no_gain_key) return;
  internal::ReplanRequest req;
  req.reoptimise = true;
  req.focus = focus;
  req.topology = &topo;
  EcotoneOptions o = o_;
  const double payback = std::max(1e-9, o_.recover_payback_hours);
  o.placement.migration_cost /= payback;
  o.placement.stateful_per_gib /= payback;
  auto plan = internal::ReplanAround(s, req, o);
  if (!plan.ok() || !plan->feasible) return;
  double gain = plan->objective_before - plan->objective_after;
  // Partners re-optimised alongside stay where they are.
  std::erase_if(plan->moves, [&](const internal::ReplicaMove& m) {
    return x.touched[m.component] != 0 || !in_focus[m.component];
  });
  if (gain < o_.recover_min_gain_per_hour || plan->moves.empty()) {
    if (std::none_of(x.touched.begin(), x.touched.end(),
                     [](char t) { return t != 0; }))
      s.rebalance_no_gain_key = key;
    return;
  }
  std::string trigger = "capacity recovered";
  std::string constraint = "rebalancing pays " + Num(gain, 4) +
                           " per hour after migration costs spread over " +
                           Num(o_.recover_payback_hours, 0) + " h (minimum " +
                           Num(o_.recover_min_gain_per_hour, 4) +
                           "); migration rate limit " +
                           std::to_string(o_.max_migrations_per_window) +
                           " per " + Dur(o_.migration_window_us) + " (" +
                           std::to_string(x.migration_budget) + " left)";
  std::vector<std::string> alternatives = {
      "stay where the failure put them: costs " + Num(gain, 4) +
          " per hour more",
      "move all " + std::to_string(plan->moves.size()) +
          " at once: exceeds the migration rate limit"};
  size_t limit = static_cast<size_t>(x.migration_budget);
  EmitMoves(x, *plan, limit, ActionKind::kRecover, true, trigger,
            s.last_recovered_event_id, constraint, alternatives);
  x.migration_budget -= static_cast<int>(std::min(limit, plan->moves.size()));
}

// ---------------------------------------------------------------- security

void EcotonePolicy::Secure(Ctx& x) const {
  const State& s = x.s;
  const auto& al = x.e.alert;
  int ci = s.ComponentIndex(al.component);
  if (ci < 0) return;
  const ComponentState& c = s.components[ci];
  const model::Component& comp = s.ecosystem.components[ci];
  const ReplicaState* named = nullptr;
  if (al.replica >= 0) {
    for (const auto& r : c.replicas)
      if (r.replica == al.replica) named = &r;
    if (named == nullptr)
      return;  // names nothing that runs: nothing to isolate.
  }
  const bool rebuild = al.severity >= o_.rebuild_min_severity;
  // Cordon only hosts: where hosts are not modelled, a cordon would take a
  // whole rack or zone, far more than the alert names.
  bool hosts_known = true;
  for (const auto& r : c.replicas)
    if (named == nullptr || r.replica == al.replica)
      hosts_known = hosts_known && !r.place.host.empty();
  const bool wants_cordon = al.severity >= o_.cordon_min_severity;
  const bool cordon = wants_cordon && hosts_known;
  const std::string sev(model::AlertSeverityName(al.severity));
  const std::string who =
      named ? comp.name + "#" + std::to_string(al.replica) : comp.name;
  std::string trigger =
      "security alert" + (al.source.empty() ? "" : " from " + al.source) +
      ": " + (al.indicator.empty() ? "suspected compromise" : al.indicator) +
      " (" + sev + ") on " + who;

  // Declared partners: callers and callees by the dependency graph.
  std::vector<std::string> partners;
  if (static_cast<int>(s.depends_on.size()) ==
      static_cast<int>(s.components.size())) {
    for (int d : s.depends_on[ci])
      partners.push_back(s.ecosystem.components[d].name);
    for (int d : s.dependents[ci])
      partners.push_back(s.ecosystem.components[d].name);
  }
  std::sort(partners.begin(), partners.end());
  partners.erase(std::unique(partners.begin(), partners.end()), partners.end());

  Action a = Base(x, ActionKind::kIsolate, ci, trigger, x.e.id);
  a.replica = named ? al.replica : -1;
  a.cordon = cordon;
  std::string rebuild_version;
  if (rebuild) {
    a.isolation = model::IsolationMode::kKillAndRebuild;
    rebuild_version = c.known_good_version;
    if (rebuild_version.empty() || Contains(c.bad_versions, rebuild_version))
      rebuild_version = RollbackTarget(c, "");
    if (rebuild_version.empty()) rebuild_version = c.version;
    a.to_version = rebuild_version;
    a.allow = partners;
  } else {
    a.isolation = model::IsolationMode::kQuarantine;
    // A quarantined replica is cut off entirely (its peers carry its load);
    // a quarantined component keeps only its declared partners.
    if (!named) a.allow = partners;
  }
  std::vector<std::string> alts;
  if (rebuild)
    alts.push_back(
        "quarantine: would keep a possibly compromised process running; "
        "severity " +
        sev + " >= " +
        std::string(model::AlertSeverityName(o_.rebuild_min_severity)));
  else
    alts.push_back(
        "kill and rebuild: loses the evidence; severity " + sev + " < " +
        std::string(model::AlertSeverityName(o_.rebuild_min_severity)));
  if (named)
    alts.push_back("isolate all of " + comp.name +
                   ": the alert names replica #" + std::to_string(al.replica) +
                   " only");
  alts.push_back("alert only: leaves the suspect free to move laterally");
  if (wants_cordon && !hosts_known)
    alts.push_back(
        "cordon the host: hosts are not modelled, a cordon would quarantine "
        "the "
        "whole rack or zone");
  a.alternatives = alts;
  a.constraint =
      "severity " + sev + (rebuild ? " >= " : " < ") + "rebuild threshold " +
      std::string(model::AlertSeverityName(o_.rebuild_min_severity)) +
      "; isolate within one decision; scope = what the alert names (" + who +
      ")";
  if (rebuild)
    a.expected_effect =
        who + " stopped and rebuilt from known-good version " +
        rebuild_version + ", serving again in ~" + Dur(StartupUs(comp)) +
        "; network limited to " +
        (partners.empty() ? std::string("nothing") : Join(partners));
  else
    a.expected_effect =
        who + " cut off (allow: " +
        (a.allow.empty() ? std::string("none") : Join(a.allow)) +
        "), kept running for evidence";
  if (cordon) {
    std::set<std::string> hosts;
    for (const auto& r : c.replicas)
      if (!named || r.replica == al.replica) hosts.insert(r.place.ToString());
    a.expected_effect +=
        "; host(s) " + Join({hosts.begin(), hosts.end()}) +
        " cordoned: severity " + sev + " >= cordon threshold " +
        std::string(model::AlertSeverityName(o_.cordon_min_severity)) +
        " (the host itself may be compromised)";
  }
  x.touched[ci] = 1;
  x.out.push_back(a);

  // What the isolation does to the rest: applied to a copy, then healed.
  State after = s;
  if (!Apply(a, x.now, &after).ok()) return;
  if (cordon) {
    Ctx y{after, x.e, x.now, {}, std::vector<char>(after.components.size(), 0),
          0};
    Heal(y, "", x.e.id);
    for (auto& m : y.out) {
      bool is_named =
          m.component == comp.name && (!named || m.replica == al.replica);
      m.trigger = trigger;
      m.constraint =
          is_named ? "rebuilt away from the cordoned host"
                   : "not named by the alert: moved because its host " +
                         m.from.ToString() + " is cordoned (severity " + sev +
                         " >= " +
                         std::string(
                             model::AlertSeverityName(o_.cordon_min_severity)) +
                         ")";
      m.alternatives.push_back(
          "leave it on the cordoned host: shares a possibly compromised host");
      x.touched[s.ComponentIndex(m.component)] = 1;
      x.out.push_back(std::move(m));
    }
  }
  // Keep the rest serving: replace the capacity a quarantined replica
  // carried, or the rebuilding replicas' if the others would be overloaded.
  if (named && named->phase == ReplicaPhase::kServing) {
    const ComponentState& ac = after.components[ci];
    int active_after = 0;
    for (const auto& r : ac.replicas)
      if (r.phase == ReplicaPhase::kServing) ++active_after;
    double u = Utilisation(ac, comp, active_after, o_.cpu_target_utilisation);
    bool overloaded = model::HasValue(u) && u > o_.scale_out_utilisation;
    bool add = !rebuild || overloaded || active_after == 0;
    int have = static_cast<int>(ac.replicas.size());
    if (add) {  // a replacement: not counted against the upper bound.
      internal::ReplanRequest req;
      req.scale_to[ci] = have + 1;
      auto plan = internal::ReplanAround(after, req, o_);
      if (plan.ok() && plan->feasible && plan->added.count(ci)) {
        Action sc = Base(x, ActionKind::kScale, ci, trigger, x.e.id);
        sc.from_replicas = have;
        sc.to_replicas = have + 1;
        sc.placements = plan->added.at(ci);
        sc.constraint = "keep the rest serving: " + who +
                        " carried load and is " +
                        (rebuild ? "rebuilding" : "quarantined");
        sc.alternatives = {
            "no replacement: the remaining " + std::to_string(active_after) +
            " replicas carry its share" +
            (model::HasValue(u) ? " at " + Pct(u) + " utilisation" : "")};
        sc.expected_effect = "one more replica of " + comp.name + " at " +
                             sc.placements.front().PlaceString() +
                             " serving in ~" + Dur(StartupUs(comp));
        x.out.push_back(std::move(sc));
      }
    }
  }
}

// ---------------------------------------------------------------- updates

std::string EcotonePolicy::RollbackTarget(const ComponentState& c,
                                          const std::string& bad) const {
  for (const std::string* v :
       {&c.rollout.from_version, &c.previous_version, &c.known_good_version}) {
    if (v != &c.rollout.from_version || c.rollout.active ||
        (!bad.empty() && c.rollout.to_version == bad))
      if (!v->empty() && *v != bad && !Contains(c.bad_versions, *v)) return *v;
  }
  return "";
}

void EcotonePolicy::BugReport(Ctx& x) const {
  const State& s = x.s;
  const auto& b = x.e.bug;
  int ci = s.ComponentIndex(b.component);
  if (ci < 0) return;
  const ComponentState& c = s.components[ci];
  bool in_rollout = c.rollout.active && c.rollout.to_version == b.version;
  bool running = !c.rollout.active && c.version == b.version;
  if (!in_rollout && !running) return;  // not running it: nothing to undo.
  std::string target = RollbackTarget(c, b.version);
  if (target.empty()) return;
  Action a =
      Base(x, ActionKind::kRollback, ci,
           "bug report (" + std::string(model::AlertSeverityName(b.severity)) +
               ") names " + b.component + " " + b.version +
               (b.summary.empty() ? "" : ": " + b.summary),
           x.e.id);
  a.from_version = b.version;
  a.to_version = target;
  for (const auto& r : c.replicas)
    if (r.version == b.version) ++a.batch_size;
  a.alternatives = {
      "keep " + b.version + " and wait for a fix: users hit the reported bug",
      in_rollout ? "pause the rollout: the updated replicas keep the bug"
                 : "roll forward: no newer version is known"};
  a.constraint = "automatic rollback: a bug report names the running version";
  a.expected_effect = std::to_string(a.batch_size) + " replicas back on " +
                      target + " in ~" +
                      Dur(StartupUs(s.ecosystem.components[ci]));
  x.touched[ci] = 1;
  x.out.push_back(std::move(a));
}

bool EcotonePolicy::Healthy(const State& s, int ci, int64_t now,
                            std::string* why) const {
  const ComponentState& c = s.components[ci];
  const std::string& name = s.ecosystem.components[ci].name;
  if (c.isolated) return *why = name + " is isolated", false;
  if (c.rollout.active) return *why = name + " is being updated", false;
  if (!c.pending_release.version.empty() &&
      !Contains(c.bad_versions, c.pending_release.version))
    return *why = name + " has a release waiting (callees first)", false;
  int serving = c.Serving(now);
  if (serving < static_cast<int>(c.replicas.size()) || c.replicas.empty())
    return *why = name + " has " + std::to_string(serving) + "/" +
                  std::to_string(c.replicas.size()) + " replicas serving",
           false;
  if (model::HasValue(c.load.error_rate) &&
      c.load.error_rate > o_.gate_max_error_rate)
    return *why = name + " error rate " + Pct(c.load.error_rate), false;
  return true;
}

// Starts waiting releases whose dependencies are healthy, schema owners
// first (a component never starts while something it depends on has a
// release waiting or running).
void EcotonePolicy::Releases(Ctx& x) const {
  const State& s = x.s;
  std::vector<int> waiting;
  for (size_t ci = 0; ci < s.components.size(); ++ci) {
    const auto& c = s.components[ci];
    if (c.pending_release.version.empty() || c.rollout.active) continue;
    if (Contains(c.bad_versions, c.pending_release.version)) continue;
    waiting.push_back(static_cast<int>(ci));
  }
  std::stable_sort(waiting.begin(), waiting.end(), [&](int a, int b) {
    bool sa = s.components[a].pending_release.schema_change;
    bool sb = s.components[b].pending_release.schema_change;
    if (sa != sb) return sa;
    return s.ecosystem.components[a].name < s.ecosystem.components[b].name;
  });
  const bool adj = s.depends_on.size() == s.components.size();
  for (int ci : waiting) {
    if (x.touched[ci]) continue;
    const ComponentState& c = s.components[ci];
    const model::Component& comp = s.ecosystem.components[ci];
    const auto& rel = c.pending_release;
    std::string why;
    bool blocked = false;
    if (adj)
      for (int d : s.depends_on[ci]) {
        // Two components that depend on each other: the schema owner, else
        // the first by name, goes first.
        bool mutual = std::binary_search(s.depends_on[d].begin(),
                                         s.depends_on[d].end(), ci);
        if (mutual && !s.components[d].rollout.active) {
          const auto& dr = s.components[d].pending_release;
          bool d_first = !dr.version.empty() &&
                         !Contains(s.components[d].bad_versions, dr.version) &&
                         (dr.schema_change > rel.schema_change ||
                          (dr.schema_change == rel.schema_change &&
                           s.ecosystem.components[d].name < comp.name));
          if (!d_first) continue;
        }
        if (!Healthy(s, d, x.now, &why)) {
          blocked = true;
          break;
        }
      }
    if (blocked) continue;
    if (c.isolated) continue;
    const int n = static_cast<int>(c.replicas.size());
    if (n == 0) continue;
    const int unavailable = n - c.Serving(x.now);
    const int max_unavailable =
        static_cast<int>(std::floor(n * o_.max_unavailable_fraction));
    const int max_surge =
        std::max(1, static_cast<int>(std::ceil(n * o_.max_surge_fraction)));
    int batch = std::min(n, max_unavailable + max_surge - unavailable);
    if (batch <= 0) continue;  // disruption budget used up: wait.
    Action a = Base(x, ActionKind::kRollingUpdate, ci,
                    "new version " + rel.version + " of " + comp.name +
                        (rel.schema_change ? " (data schema change)" : ""),
                    c.pending_release_event_id);
    a.from_version = c.version;
    a.to_version = rel.version;
    a.image = rel.image;
    a.batch_size = batch;
    a.max_surge = max_surge;
    a.max_unavailable = max_unavailable;
    a.gate_max_error_rate = o_.gate_max_error_rate;
    if (comp.latency_slo_us > 0)
      a.gate_max_latency_ms = comp.latency_slo_us / 1000.0;
    else if (model::HasValue(c.load.latency_ms) && c.load.latency_ms > 0)
      a.gate_max_latency_ms = c.load.latency_ms * o_.gate_latency_factor;
    std::vector<std::string> deps;
    if (adj)
      for (int d : s.depends_on[ci])
        deps.push_back(s.ecosystem.components[d].name);
    a.alternatives = {
        "all replicas at once: exceeds the disruption budget (max "
        "unavailable " +
            std::to_string(max_unavailable) + ")",
        "wait: nothing it depends on is unhealthy"};
    a.constraint =
        "dependencies healthy (" +
        (deps.empty() ? std::string("none") : Join(deps)) +
        "); disruption budget: max unavailable " +
        std::to_string(max_unavailable) + " + surge " +
        std::to_string(max_surge) + " of " + std::to_string(n) +
        (unavailable > 0 ? ", " + std::to_string(unavailable) + " already down"
                         : "");
    a.expected_effect =
        "batch 1: " + std::to_string(batch) + " of " + std::to_string(n) +
        " replicas on " + rel.version + "; next batch when they serve for " +
        Dur(o_.gate_soak_us) +
        " with error rate <= " + Pct(a.gate_max_error_rate) +
        (a.gate_max_latency_ms > 0
             ? " and p99 <= " + Num(a.gate_max_latency_ms, 1) + " ms"
             : std::string()) +
        "; rollback otherwise";
    x.touched[ci] = 1;
    x.out.push_back(std::move(a));
  }
}

// Advances or rolls back rollouts in progress by their health gate.
void EcotonePolicy::Rollouts(Ctx& x, const std::vector<int>& components) const {
  const State& s = x.s;
  for (int ci : components) {
    const ComponentState& c = s.components[ci];
    if (x.touched[ci]) continue;
    const model::Component& comp = s.ecosystem.components[ci];
    const Rollout& ro = c.rollout;
    // A rollout whose last batch was applied stays gated until that batch
    // has served for the soak time (a one-batch rollout completes at once).
    const bool finished =
        !ro.active && !ro.to_version.empty() && ro.to_version == c.version &&
        x.now - c.last_update_us <= 3 * StartupUs(comp) + o_.gate_soak_us;
    if (!ro.active && !finished) continue;
    const int n = static_cast<int>(c.replicas.size());
    int updated = 0, ready = 0;
    int64_t last_ready = ro.batch_started_us;
    for (const auto& r : c.replicas) {
      if (r.version != ro.to_version) continue;
      ++updated;
      bool up = r.phase == ReplicaPhase::kServing ||
                (r.phase == ReplicaPhase::kStarting && r.ready_us <= x.now);
      if (up) {
        ++ready;
        if (r.phase == ReplicaPhase::kStarting)
          last_ready = std::max(last_ready, r.ready_us);
      }
    }
    auto rollback = [&](const std::string& why, const std::string& constraint) {
      std::string target = RollbackTarget(c, ro.to_version);
      if (target.empty()) return;
      Action a = Base(x, ActionKind::kRollback, ci, why, x.e.id);
      a.from_version = ro.to_version;
      a.to_version = target;
      a.batch_size = updated;
      a.constraint = constraint;
      a.alternatives = {
          "continue the rollout: the gate failed on the batch already updated",
          "pause: the updated replicas keep serving the failing version"};
      a.expected_effect = std::to_string(updated) +
                          " updated replicas back on " + target + " in ~" +
                          Dur(StartupUs(comp)) + "; " +
                          std::to_string(n - updated) + " never left it";
      x.touched[ci] = 1;
      x.out.push_back(std::move(a));
    };
    if (ro.active && Contains(c.bad_versions, ro.to_version)) {
      rollback("bug report names " + comp.name + " " + ro.to_version,
               "automatic rollback: the new version is reported broken");
      continue;
    }
    const int64_t startup = StartupUs(comp);
    if (ready < updated) {
      if (x.now - ro.batch_started_us > 3 * startup + o_.gate_soak_us)
        rollback("batch of " + comp.name + " " + ro.to_version +
                     " not serving after " + Dur(x.now - ro.batch_started_us),
                 "health gate: updated replicas must serve within 3 x start-up "
                 "+ soak");
      continue;
    }
    const auto& m = c.load;
    if (ro.gate_max_error_rate > 0 && model::HasValue(m.error_rate) &&
        m.error_rate > ro.gate_max_error_rate) {
      rollback("error rate " + Pct(m.error_rate) + " of " + comp.name + " on " +
                   ro.to_version,
               "health gate: error rate <= " + Pct(ro.gate_max_error_rate));
      continue;
    }
    if (ro.gate_max_latency_ms > 0 && model::HasValue(m.latency_ms) &&
        m.latency_ms > ro.gate_max_latency_ms) {
      rollback("p99 latency " + Num(m.latency_ms, 1) + " ms of " + comp.name +
                   " on " + ro.to_version,
               "health gate: p99 latency <= " + Num(ro.gate_max_latency_ms, 1) +
                   " ms");
      continue;
    }
    if (finished || x.now - last_ready < o_.gate_soak_us || updated >= n)
      continue;
    const int unavailable = n - c.Serving(x.now);
    const int max_unavailable =
        static_cast<int>(std::floor(n * o_.max_unavailable_fraction));
    const int max_surge =
        std::max(1, static_cast<int>(std::ceil(n * o_.max_surge_fraction)));
    int batch =
        std::min(n - updated, max_unavailable + max_surge - unavailable);
    if (batch <= 0) continue;
    Action a = Base(x, ActionKind::kRollingUpdate, ci,
                    "batch of " + comp.name + " " + ro.to_version +
                        " passed its health gate",
                    x.e.id);
    a.from_version = ro.from_version;
    a.to_version = ro.to_version;
    a.image = ro.image;
    a.batch_size = batch;
    a.max_surge = max_surge;
    a.max_unavailable = max_unavailable;
    a.gate_max_error_rate = ro.gate_max_error_rate;
    a.gate_max_latency_ms = ro.gate_max_latency_ms;
    a.alternatives = {
        "rest at once: exceeds the disruption budget (max unavailable " +
            std::to_string(max_unavailable) + ")",
        "roll back: the gate holds"};
    a.constraint =
        "health gate held for " + Dur(x.now - last_ready) +
        (model::HasValue(m.error_rate) ? ", error rate " + Pct(m.error_rate)
                                       : "") +
        (model::HasValue(m.latency_ms) ? ", p99 " + Num(m.latency_ms, 1) + " ms"
                                       : "") +
        "; disruption budget max unavailable " +
        std::to_string(max_unavailable) + " + surge " +
        std::to_string(max_surge);
    a.expected_effect = std::to_string(updated + batch) + " of " +
                        std::to_string(n) + " replicas on " + ro.to_version +
                        (updated + batch == n ? " (rollout complete)" : "");
    x.touched[ci] = 1;
    x.out.push_back(std::move(a));
  }
}

// ---------------------------------------------------------------- scaling

// Predictive (forecast schedule, start-up time ahead) and reactive
// (utilisation) scaling with hysteresis, cooldowns and a scale-in limit.
void EcotonePolicy::Scale(Ctx& x, int ci, bool forecast_event) const {
  const State& s = x.s;
  if (x.touched[ci]) return;
  const ComponentState& c = s.components[ci];
  const model::Component& comp = s.ecosystem.components[ci];
  if (c.isolated) return;
  const int have = static_cast<int>(c.replicas.size());
  if (have == 0) return;
  const int active = Active(c);
  const int lower = std::max(1, comp.replicas.min);
  const int upper = UpperReplicas(comp);
  const int64_t startup = StartupUs(comp);
  const int64_t horizon = x.now + startup + o_.forecast_lead_us;

  // The most replicas the forecast schedule wants in the steps that overlap
  // [now, until] (and when), or -1 without a current schedule.
  // O(window / step).
  const auto& f = c.forecast;
  auto forecast_max = [&](int64_t until, int64_t* at) {
    int best = -1;
    if (f.replicas.empty() || f.step_us <= 0 ||
        x.now >=
            f.start_us + static_cast<int64_t>(f.replicas.size()) * f.step_us)
      return best;
    const int64_t steps = static_cast<int64_t>(f.replicas.size());
    int64_t first = x.now > f.start_us ? (x.now - f.start_us) / f.step_us : 0;
    int64_t last = until >= f.start_us
                       ? std::min(steps - 1, (until - f.start_us) / f.step_us)
                       : -1;
    for (int64_t k = first; k <= last; ++k) {
      int64_t t0 = f.start_us + k * f.step_us;
      if (t0 + f.step_us <= x.now || t0 > until) continue;
      if (f.replicas[k] > best) {
        best = f.replicas[k];
        if (at != nullptr) *at = std::max(t0, x.now);
      }
    }
    return best;
  };
  // Forecast need: [now, now + start-up + lead] (scale out ahead of load).
  int64_t fneed_at = 0;
  const int fneed = forecast_max(horizon, &fneed_at);
  // Forecast hold: [now, now + max(scale-in cooldown, forecast hold)] (a
  // replica removed now and wanted back within it would be a flap).
  const int fhold =
      std::max(fneed, forecast_max(x.now + std::max(o_.scale_in_cooldown_us,
                                                     o_.forecast_hold_us),
                                   nullptr));

  const double u = Utilisation(c, comp, active, o_.cpu_target_utilisation);
  int rneed = -1;
  if (model::HasValue(u) && u > o_.scale_out_utilisation)
    rneed =
        static_cast<int>(std::ceil(u * active / o_.scale_out_target - 1e-9));

  // --- Scale out (counts compare with the active replicas: down and
  // isolated ones do not serve; the new total keeps them). ---
  // The schedule is sized at the target (utilisation 1) on a quantile of
  // the demand: one replica more than the active ones is demand within
  // (active, active + 1] replicas' worth; when the active replicas carry
  // that below the scale-out band (what the reactive rule tolerates), the
  // forecast is not acted on (a forecast that wobbles around a replica
  // boundary would otherwise add and remove one replica again and again).
  int fout = fneed;
  const bool has_load_model =
      comp.capacity_rps_per_replica > 0 || comp.requests.cpu_millicores > 0;
  // Beyond the band, the replicas that carry the forecast demand within the
  // band are added (the schedule's quantile at utilisation 1 would pay for
  // headroom the band already gives; the same count scale-in holds).
  if (has_load_model && model::HasValue(u) && fneed > active)
    fout = fneed - 1.0 <= active * o_.scale_out_utilisation
               ? -1
               : std::max(active + 1,
                          static_cast<int>(std::ceil(
                              (fneed - 1.0) / o_.scale_out_utilisation -
                              1e-9)));
  if (std::max(fout, rneed) > active) {
    const int want = std::min(std::max(fout, rneed), upper);
    if (want <= active) return;  // at the upper bound.
    const int target = have + (want - active);
    const bool predictive = fout > active;
    if (!predictive && x.now - c.last_scale_out_us < o_.scale_out_cooldown_us &&
        u <= o_.scale_out_emergency_utilisation)
      return;  // cooldown.
    internal::ReplanRequest req;
    req.scale_to[ci] = target;
    auto plan = internal::ReplanAround(s, req, o_);
    if (!plan.ok() || !plan->feasible || !plan->added.count(ci) ||
        static_cast<int>(plan->added.at(ci).size()) != target - have)
      return;
    std::string trigger;
    if (predictive)
      trigger = "forecast: " + std::to_string(fneed) + " replicas needed by +" +
                Dur(fneed_at - x.now) + " (start-up " + Dur(startup) +
                " ahead)";
    else
      trigger = "overload: utilisation " + Pct(u) + " of " +
                std::to_string(active) + " replicas" +
                (model::HasValue(c.load.requests_per_s)
                     ? " at " + Num(c.load.requests_per_s, 1) + " req/s"
                     : std::string());
    Action a =
        Base(x, ActionKind::kScale, ci, trigger,
             forecast_event || x.e.kind == EventKind::kMetrics ? x.e.id : 0);
    a.from_replicas = have;
    a.to_replicas = target;
    a.placements = plan->added.at(ci);
    std::vector<std::string> where;
    for (const auto& p : a.placements) where.push_back(p.PlaceString());
    a.alternatives = {
        "wait for the load: new replicas need " + Dur(startup) + " to serve",
        "one replica more: " + std::string(target - have > 1
                                               ? "too few for the need"
                                               : "this is one more"),
        "spread blindly over zones: placement keeps them near their partners "
        "(cross-zone "
        "proximity " +
            Num(plan->cross_zone_proximity, 3) + ")"};
    a.constraint =
        (predictive ? "predictive: forecast schedule " + std::to_string(fneed)
                    : "reactive: utilisation " + Pct(u) + " > " +
                          Pct(o_.scale_out_utilisation) + ", target " +
                          Pct(o_.scale_out_target)) +
        (want < std::max(fout, rneed)
             ? "; capped at max " + std::to_string(upper)
             : "");
    a.expected_effect =
        std::to_string(want) + " active replicas (new at " + Join(where) +
        ") serving in ~" + Dur(startup) +
        (model::HasValue(u) ? ", utilisation ~" + Pct(u * active / want)
                            : std::string());
    x.touched[ci] = 1;
    x.out.push_back(std::move(a));
    return;
  }

  // --- Scale in (hysteresis: the peak of the window must fit with room). ---
  if (c.rollout.active || active < have || have <= lower) return;
  if (x.now - c.last_scale_out_us < o_.scale_in_cooldown_us ||
      x.now - c.last_scale_in_us < o_.scale_in_cooldown_us)
    return;
  // Peak load of the window in replica units (1 = one replica at target).
  double peak = -1;
  bool covered = !c.recent_load.empty() &&
                 c.recent_load.front().time_us <= x.now - o_.scale_in_window_us;
  if (covered) {
    for (const auto& p : c.recent_load) {
      if (p.time_us < x.now - o_.scale_in_window_us) continue;
      if (model::HasValue(p.requests_per_s) &&
          comp.capacity_rps_per_replica > 0)
        peak = std::max(peak, p.requests_per_s / comp.capacity_rps_per_replica);
      if (model::HasValue(p.cpu_millicores) && comp.requests.cpu_millicores > 0)
        peak = std::max(peak, p.cpu_millicores * active /
                                  (comp.requests.cpu_millicores *
                                   o_.cpu_target_utilisation));
    }
  }
  int ok_n;
  if (peak >= 0) {
    ok_n = std::max(1, static_cast<int>(std::ceil(peak / o_.scale_in_utilisation - 1e-9)));
  } else if (!has_load_model && fhold >= 0) {
    ok_n = fhold;  // only the forecast speaks.
  } else {
    return;  // no evidence for the window.
  }
  const int step = std::max(
      o_.max_scale_in_step,
      static_cast<int>(std::floor(have * o_.max_scale_in_fraction)));
  // The forecast holds the replicas that carry its need within the
  // scale-out band (more would be added back by nothing: see fout).
  int hold = fhold;
  if (has_load_model && fhold > 0)
    hold = static_cast<int>(
        std::ceil((fhold - 1.0) / o_.scale_out_utilisation - 1e-9));
  int target = std::max({lower, ok_n, hold, have - step});
  if (target >= have) return;
  // Remove from the zones holding most replicas (keeps the spread), then the
  // highest replica numbers.
  std::map<std::string, int> per_zone;
  for (const auto& r : c.replicas) ++per_zone[r.place.zone];
  std::vector<const ReplicaState*> left;
  for (const auto& r : c.replicas) left.push_back(&r);
  Action a = Base(x, ActionKind::kScale, ci, "",
                  x.e.kind == EventKind::kTick ? 0 : x.e.id);
  for (int k = have; k > target; --k) {
    auto best = left.end();
    for (auto it = left.begin(); it != left.end(); ++it) {
      if (best == left.end()) {
        best = it;
        continue;
      }
      int zi = per_zone[(*it)->place.zone], zb = per_zone[(*best)->place.zone];
      if (zi > zb || (zi == zb && (*it)->replica > (*best)->replica)) best = it;
    }
    model::Assignment p;
    p.component = comp.name;
    p.replica = (*best)->replica;
    p.zone = (*best)->place.zone;
    p.rack = (*best)->place.rack;
    p.host = (*best)->place.host;
    --per_zone[p.zone];
    a.placements.push_back(std::move(p));
    left.erase(best);
  }
  a.from_replicas = have;
  a.to_replicas = target;
  std::vector<std::string> removed;
  for (const auto& p : a.placements)
    removed.push_back("#" + std::to_string(p.replica) + " at " +
                      p.PlaceString());
  if (peak >= 0)
    a.trigger = "underuse: peak " + Num(peak, 2) +
                " replicas' worth of load over the last " +
                Dur(o_.scale_in_window_us) + " on " + std::to_string(have) +
                " replicas";
  else
    a.trigger = "forecast: " + std::to_string(fhold) +
                " replicas enough up to +" +
                Dur(std::max(o_.scale_in_cooldown_us, o_.forecast_hold_us));
  a.alternatives = {"keep " + std::to_string(have) + ": pays for idle replicas",
                    "remove more at once: scale-in limit " +
                        std::to_string(step) + " per " +
                        Dur(o_.scale_in_cooldown_us)};
  a.constraint =
      "hysteresis: peak utilisation at " + std::to_string(target) +
      " replicas " + (peak >= 0 ? Pct(peak / target) : std::string("n/a")) +
      " < " + Pct(o_.scale_in_utilisation) + "; cooldown " +
      Dur(o_.scale_in_cooldown_us) + " since the last scale; scale-in limit " +
      std::to_string(step) +
      (fhold >= 0 ? "; forecast needs " + std::to_string(fhold) +
                        " within " +
                        Dur(std::max(o_.scale_in_cooldown_us,
                                     o_.forecast_hold_us))
                  : std::string()) +
      "; min " + std::to_string(lower);
  a.expected_effect = std::to_string(target) + " replicas (removing " +
                      Join(removed) + "), spread over zones kept";
  x.touched[ci] = 1;
  x.out.push_back(std::move(a));
}

}  // namespace

std::unique_ptr<Policy> MakeEcotonePolicy(const EcotoneOptions& options) {
  return std::make_unique<EcotonePolicy>(options);
}

}  // namespace ecotone::engine
