// Engine state bookkeeping: MakeState, CurrentPlan, Observe, Apply.
#include <algorithm>
#include <cmath>
#include <utility>

#include "ecotone/engine/engine.h"

namespace ecotone::engine {
namespace {

using model::Action;
using model::ActionKind;
using model::CapacityState;
using model::Event;
using model::EventKind;
using model::HardwareChange;
using model::Place;

int64_t StartupUs(const model::Component& c) {
  return c.startup_us > 0 ? c.startup_us : kDefaultStartupUs;
}

bool On(const Place& p, const model::HardwareEvent& h) {
  return p.zone == h.zone && (h.rack.empty() || p.rack == h.rack) &&
         (h.host.empty() || p.host == h.host);
}

// The state field of the zone / rack / host an event or place names.
Result<CapacityState*> FindCapacity(model::Topology* t, const std::string& zone,
                                    const std::string& rack, const std::string& host) {
  for (auto& z : t->zones) {
    if (z.name != zone) continue;
    if (rack.empty()) return &z.state;
    for (auto& r : z.racks) {
      if (r.name != rack) continue;
      if (host.empty()) return &r.state;
      for (auto& h : r.hosts)
        if (h.name == host) return &h.state;
      return Status::NotFound("host '" + host + "' not in rack '" + zone + "/" + rack + "'");
    }
    return Status::NotFound("rack '" + rack + "' not in zone '" + zone + "'");
  }
  return Status::NotFound("zone '" + zone + "' not in topology '" + t->name + "'");
}

// Usable = the zone, rack and host of the place are all usable.
bool PlaceUsable(const model::Topology& t, const Place& p) {
  for (const auto& z : t.zones) {
    if (z.name != p.zone) continue;
    if (!model::IsUsable(z.state)) return false;
    if (p.rack.empty()) return true;
    for (const auto& r : z.racks) {
      if (r.name != p.rack) continue;
      if (!model::IsUsable(r.state)) return false;
      if (p.host.empty()) return true;
      for (const auto& h : r.hosts)
        if (h.name == p.host) return model::IsUsable(h.state);
    }
  }
  return false;
}

Status CheckPlace(const model::Topology& t, const Place& p, std::string_view what) {
  for (const auto& z : t.zones) {
    if (z.name != p.zone) continue;
    if (p.rack.empty()) return Status::Ok();
    for (const auto& r : z.racks) {
      if (r.name != p.rack) continue;
      if (p.host.empty()) return Status::Ok();
      for (const auto& h : r.hosts)
        if (h.name == p.host) return Status::Ok();
      return Status::NotFound(std::string(what) + ": host '" + p.host + "' not in rack '" +
                              p.zone + "/" + p.rack + "'");
    }
    return Status::NotFound(std::string(what) + ": rack '" + p.rack + "' not in zone '" +
                            p.zone + "'");
  }
  return Status::NotFound(std::string(what) + ": zone '" + p.zone + "' not in topology");
}

ReplicaState* FindReplica(ComponentState& c, int replica) {
  for (auto& r : c.replicas)
    if (r.replica == replica) return &r;
  return nullptr;
}

Result<int> ComponentOf(const State& s, const std::string& name, std::string_view what) {
  int i = s.ComponentIndex(name);
  if (i < 0) return Status::NotFound(std::string(what) + ": unknown component '" + name + "'");
  return i;
}

}  // namespace

std::string_view ReplicaPhaseName(ReplicaPhase p) {
  switch (p) {
    case ReplicaPhase::kStarting: return "starting";
    case ReplicaPhase::kServing: return "serving";
    case ReplicaPhase::kDown: return "down";
    case ReplicaPhase::kIsolated: return "isolated";
  }
  return "unknown";
}

bool ComponentState::LoadPoint::operator==(const LoadPoint& o) const {
  auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
  return time_us == o.time_us && same(requests_per_s, o.requests_per_s) &&
         same(cpu_millicores, o.cpu_millicores);
}

int ComponentState::Serving(int64_t now_us) const {
  int n = 0;
  for (const auto& r : replicas)
    if (r.phase == ReplicaPhase::kServing ||
        (r.phase == ReplicaPhase::kStarting && r.ready_us <= now_us))
      ++n;
  return n;
}

int State::ComponentIndex(std::string_view name) const {
  auto it = component_index.find(name);
  return it == component_index.end() ? -1 : it->second;
}

Result<State> MakeState(model::Ecosystem ecosystem, model::Topology topology,
                        const model::PlacementPlan& plan, int64_t now_us) {
  State s;
  s.ecosystem = std::move(ecosystem);
  s.topology = std::move(topology);
  s.components.resize(s.ecosystem.components.size());
  for (size_t i = 0; i < s.ecosystem.components.size(); ++i) {
    const auto& c = s.ecosystem.components[i];
    s.component_index.emplace(c.name, static_cast<int>(i));
    s.components[i].version = c.version;
    s.components[i].known_good_version = c.version;
  }
  for (const auto& a : plan.assignments) {
    int i = s.ComponentIndex(a.component);
    std::string what = "plan assignment " + a.component + "#" + std::to_string(a.replica);
    if (i < 0)
      return Status::InvalidArgument(what + ": unknown component '" + a.component + "'");
    Place p{a.zone, a.rack, a.host};
    ECOTONE_RETURN_IF_ERROR(CheckPlace(s.topology, p, what));
    auto& c = s.components[i];
    if (FindReplica(c, a.replica) != nullptr)
      return Status::InvalidArgument(what + ": replica listed twice");
    ReplicaState r;
    r.replica = a.replica;
    r.place = p;
    r.version = c.version;
    r.phase = PlaceUsable(s.topology, p) ? ReplicaPhase::kServing : ReplicaPhase::kDown;
    r.ready_us = now_us;
    c.replicas.push_back(std::move(r));
  }
  for (auto& c : s.components)
    std::sort(c.replicas.begin(), c.replicas.end(),
              [](const ReplicaState& a, const ReplicaState& b) { return a.replica < b.replica; });
  s.depends_on.assign(s.components.size(), {});
  s.dependents.assign(s.components.size(), {});
  for (const auto& d : s.ecosystem.dependencies) {
    int from = s.ComponentIndex(d.from), to = s.ComponentIndex(d.to);
    if (from < 0 || to < 0 || from == to) continue;
    s.depends_on[from].push_back(to);
    s.dependents[to].push_back(from);
  }
  for (auto* adj : {&s.depends_on, &s.dependents})
    for (auto& v : *adj) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    }
  return s;
}

model::PlacementPlan CurrentPlan(const State& state) {
  model::PlacementPlan plan;
  plan.ecosystem = state.ecosystem.name;
  plan.infra = state.topology.name;
  for (size_t i = 0; i < state.components.size(); ++i)
    for (const auto& r : state.components[i].replicas) {
      if (r.place.empty()) continue;
      model::Assignment a;
      a.component = state.ecosystem.components[i].name;
      a.replica = r.replica;
      a.zone = r.place.zone;
      a.rack = r.place.rack;
      a.host = r.place.host;
      plan.assignments.push_back(std::move(a));
    }
  std::sort(plan.assignments.begin(), plan.assignments.end(),
            [](const model::Assignment& a, const model::Assignment& b) {
              return a.component != b.component ? a.component < b.component
                                                : a.replica < b.replica;
            });
  return plan;
}

Status Observe(const Event& e, State* s) {
  switch (e.kind) {
    case EventKind::kMetrics: {
      // Drivers usually send one sample per component in the ecosystem's
      // order: the k-th sample is tried at index k before the name index.
      std::vector<int> index(e.metrics.size());
      for (size_t k = 0; k < e.metrics.size(); ++k) {
        const auto& m = e.metrics[k];
        if (k < s->ecosystem.components.size() &&
            s->ecosystem.components[k].name == m.component) {
          index[k] = static_cast<int>(k);
          continue;
        }
        ECOTONE_ASSIGN_OR_RETURN(index[k], ComponentOf(*s, m.component, "metrics"));
      }
      for (size_t k = 0; k < e.metrics.size(); ++k) {
        const auto& m = e.metrics[k];
        if (m.replica >= 0) continue;
        auto& c = s->components[index[k]];
        c.load = m;
        if (model::HasValue(m.requests_per_s) || model::HasValue(m.cpu_millicores)) {
          if (!c.recent_load.empty() && c.recent_load.back().time_us > e.time_us)
            c.recent_load.clear();  // time went backwards: start afresh.
          c.recent_load.push_back({e.time_us, m.requests_per_s, m.cpu_millicores});
          auto keep_from = std::find_if(c.recent_load.begin(), c.recent_load.end(),
                                        [&](const ComponentState::LoadPoint& p) {
                                          return p.time_us > e.time_us - kLoadHistoryUs;
                                        });
          c.recent_load.erase(c.recent_load.begin(), keep_from);
        }
      }
      return Status::Ok();
    }
    case EventKind::kHardware: {
      const auto& h = e.hardware;
      ECOTONE_ASSIGN_OR_RETURN(CapacityState* st,
                               FindCapacity(&s->topology, h.zone, h.rack, h.host));
      switch (h.change) {
        case HardwareChange::kFailed: *st = CapacityState::kFailed; break;
        case HardwareChange::kDegraded: *st = CapacityState::kDegraded; break;
        case HardwareChange::kRecovered: *st = CapacityState::kHealthy; break;
        case HardwareChange::kMaintenance: *st = CapacityState::kDraining; break;
      }
      // Notices of what lies inside the target end when it fails or
      // recovers; degraded / maintenance (re)announce the target's notice.
      std::erase_if(s->notices, [&](const State::HardwareNotice& n) {
        const auto& t = n.hardware;
        bool inside = t.zone == h.zone && (h.rack.empty() || t.rack == h.rack) &&
                      (h.host.empty() || t.host == h.host);
        return inside && (h.change == HardwareChange::kFailed ||
                          h.change == HardwareChange::kRecovered ||
                          (t.rack == h.rack && t.host == h.host));
      });
      if (h.change == HardwareChange::kDegraded || h.change == HardwareChange::kMaintenance)
        s->notices.push_back({h, e.time_us, e.id});
      s->last_hardware_us = e.time_us;
      if (h.change == HardwareChange::kRecovered) {
        s->last_recovered_us = e.time_us;
        s->last_recovered_event_id = e.id;
      }
      for (size_t i = 0; i < s->components.size(); ++i)
        for (auto& r : s->components[i].replicas) {
          if (!On(r.place, h)) continue;
          if (h.change == HardwareChange::kFailed && r.phase != ReplicaPhase::kIsolated) {
            if (r.phase != ReplicaPhase::kDown) r.ready_us = e.time_us;  // down since.
            r.phase = ReplicaPhase::kDown;
          } else if (h.change == HardwareChange::kRecovered && r.phase == ReplicaPhase::kDown &&
                     PlaceUsable(s->topology, r.place)) {
            r.phase = ReplicaPhase::kStarting;  // restarts where it was.
            r.ready_us = e.time_us + StartupUs(s->ecosystem.components[i]);
          }
        }
      return Status::Ok();
    }
    case EventKind::kSecurityAlert:
      return ComponentOf(*s, e.alert.component, "security alert").status();
    case EventKind::kBugReport: {
      ECOTONE_ASSIGN_OR_RETURN(int i, ComponentOf(*s, e.bug.component, "bug report"));
      auto& bad = s->components[i].bad_versions;
      if (std::find(bad.begin(), bad.end(), e.bug.version) == bad.end())
        bad.push_back(e.bug.version);
      return Status::Ok();
    }
    case EventKind::kNewVersion: {
      ECOTONE_ASSIGN_OR_RETURN(int i, ComponentOf(*s, e.release.component, "new version"));
      auto& c = s->components[i];
      if (e.release.version != c.version && e.release.version != c.rollout.to_version) {
        c.pending_release = e.release;
        c.pending_release_event_id = e.id;
      }
      return Status::Ok();
    }
    case EventKind::kForecastUpdated: {
      ECOTONE_ASSIGN_OR_RETURN(int i, ComponentOf(*s, e.forecast.component, "forecast"));
      s->components[i].forecast = e.forecast;
      return Status::Ok();
    }
    case EventKind::kTick:
      return Status::Ok();
  }
  return Status::Ok();
}

Status Apply(const Action& a, int64_t now_us, State* s) {
  std::string what = std::string(model::ActionKindName(a.kind)) + " " + a.component;
  ECOTONE_ASSIGN_OR_RETURN(int ci, ComponentOf(*s, a.component, what));
  auto& c = s->components[ci];
  const auto& comp = s->ecosystem.components[ci];
  const int64_t ready = now_us + StartupUs(comp);
  auto replica_or_error = [&](int n) -> Result<ReplicaState*> {
    ReplicaState* r = FindReplica(c, n);
    if (r == nullptr)
      return Status::NotFound(what + ": no replica #" + std::to_string(n));
    return r;
  };
  switch (a.kind) {
    case ActionKind::kMigrate:
    case ActionKind::kRecover: {
      ECOTONE_ASSIGN_OR_RETURN(ReplicaState* r, replica_or_error(a.replica));
      ECOTONE_RETURN_IF_ERROR(CheckPlace(s->topology, a.to, what));
      if (a.kind == ActionKind::kMigrate && r->home.empty() &&
          (r->phase == ReplicaPhase::kDown || !PlaceUsable(s->topology, r->place)))
        r->home = r->place;
      if (a.kind == ActionKind::kRecover || a.to == r->home) r->home = Place{};
      r->place = a.to;
      r->phase = a.live ? ReplicaPhase::kServing : ReplicaPhase::kStarting;
      r->ready_us = a.live ? now_us : ready;
      s->migration_times_us.push_back(now_us);
      return Status::Ok();
    }
    case ActionKind::kScale: {
      if (a.to_replicas < 0) return Status::InvalidArgument(what + ": negative replica count");
      int have = static_cast<int>(c.replicas.size());
      if (a.to_replicas > have) {
        if (static_cast<int>(a.placements.size()) != a.to_replicas - have)
          return Status::InvalidArgument(what + ": scale-out to " + std::to_string(a.to_replicas) +
                                         " needs " + std::to_string(a.to_replicas - have) +
                                         " placements, got " +
                                         std::to_string(a.placements.size()));
        for (const auto& p : a.placements)
          ECOTONE_RETURN_IF_ERROR(CheckPlace(s->topology, Place{p.zone, p.rack, p.host}, what));
        int next = c.replicas.empty() ? 0 : c.replicas.back().replica + 1;
        for (const auto& p : a.placements) {
          ReplicaState r;
          r.replica = FindReplica(c, p.replica) == nullptr && p.replica >= next ? p.replica : next;
          next = r.replica + 1;
          r.place = Place{p.zone, p.rack, p.host};
          r.version = c.version;
          r.phase = ReplicaPhase::kStarting;
          r.ready_us = ready;
          c.replicas.push_back(std::move(r));
        }
        c.last_scale_out_us = now_us;
      } else if (a.to_replicas < have) {
        std::vector<int> drop;
        for (const auto& p : a.placements) drop.push_back(p.replica);
        if (drop.empty())
          for (int k = a.to_replicas; k < have; ++k) drop.push_back(c.replicas[k].replica);
        if (static_cast<int>(drop.size()) != have - a.to_replicas)
          return Status::InvalidArgument(what + ": scale-in names " + std::to_string(drop.size()) +
                                         " replicas to remove, needs " +
                                         std::to_string(have - a.to_replicas));
        for (int n : drop) ECOTONE_RETURN_IF_ERROR(replica_or_error(n).status());
        std::erase_if(c.replicas, [&](const ReplicaState& r) {
          return std::find(drop.begin(), drop.end(), r.replica) != drop.end();
        });
        c.last_scale_in_us = now_us;
      }
      std::sort(c.replicas.begin(), c.replicas.end(),
                [](const ReplicaState& x, const ReplicaState& y) { return x.replica < y.replica; });
      return Status::Ok();
    }
    case ActionKind::kIsolate: {
      std::vector<ReplicaState*> targets;
      if (a.replica >= 0) {
        ECOTONE_ASSIGN_OR_RETURN(ReplicaState* r, replica_or_error(a.replica));
        targets.push_back(r);
      } else {
        for (auto& r : c.replicas) targets.push_back(&r);
      }
      if (a.cordon)
        for (ReplicaState* r : targets)
          if (!r->place.host.empty() || !r->place.rack.empty()) {
            auto st = FindCapacity(&s->topology, r->place.zone, r->place.rack, r->place.host);
            if (st.ok()) **st = CapacityState::kQuarantined;
          }
      if (a.isolation == model::IsolationMode::kKillAndRebuild) {
        // The compromised replicas are killed; fresh ones of the known-good
        // version start in their place.
        for (ReplicaState* r : targets) {
          if (!a.to_version.empty()) r->version = a.to_version;
          r->phase = ReplicaPhase::kStarting;
          r->ready_us = ready;
        }
        if (a.replica < 0 && !a.to_version.empty()) c.version = a.to_version;
        return Status::Ok();
      }
      for (ReplicaState* r : targets) r->phase = ReplicaPhase::kIsolated;
      if (a.replica < 0) {
        c.isolated = true;
        c.isolation_allow = a.allow;
      }
      return Status::Ok();
    }
    case ActionKind::kRelease: {
      c.isolated = false;
      c.isolation_allow.clear();
      for (auto& r : c.replicas)
        if (r.phase == ReplicaPhase::kIsolated && (a.replica < 0 || r.replica == a.replica)) {
          r.phase = ReplicaPhase::kStarting;
          r.ready_us = ready;
        }
      return Status::Ok();
    }
    case ActionKind::kRollingUpdate: {
      if (a.to_version.empty()) return Status::InvalidArgument(what + ": to_version is empty");
      if (!c.rollout.active || c.rollout.to_version != a.to_version) {
        c.rollout = Rollout{};
        c.rollout.active = true;
        c.rollout.from_version = a.from_version.empty() ? c.version : a.from_version;
        c.rollout.to_version = a.to_version;
        c.rollout.image = a.image;
        c.rollout.gate_max_error_rate = a.gate_max_error_rate;
        c.rollout.gate_max_latency_ms = a.gate_max_latency_ms;
        if (c.pending_release.version == a.to_version) {
          c.pending_release = model::NewVersion{};
          c.pending_release_event_id = 0;
        }
      }
      c.rollout.batch_size = std::max(1, a.batch_size);
      c.rollout.batch_started_us = now_us;
      int n = 0;
      for (auto& r : c.replicas) {
        if (n >= c.rollout.batch_size) break;
        if (r.version == a.to_version) continue;
        r.version = a.to_version;
        r.phase = r.phase == ReplicaPhase::kIsolated ? r.phase : ReplicaPhase::kStarting;
        r.ready_us = ready;
        ++n;
      }
      c.rollout.updated = static_cast<int>(std::count_if(
          c.replicas.begin(), c.replicas.end(),
          [&](const ReplicaState& r) { return r.version == a.to_version; }));
      if (c.rollout.updated == static_cast<int>(c.replicas.size())) {
        c.rollout.active = false;
        c.previous_version = c.rollout.from_version;
        c.version = a.to_version;
        // It passed every batch's health gate: known good unless reported.
        if (std::find(c.bad_versions.begin(), c.bad_versions.end(), a.to_version) ==
            c.bad_versions.end())
          c.known_good_version = a.to_version;
      }
      c.last_update_us = now_us;
      return Status::Ok();
    }
    case ActionKind::kRollback: {
      if (a.to_version.empty()) return Status::InvalidArgument(what + ": to_version is empty");
      for (auto& r : c.replicas)
        if (r.version != a.to_version) {
          r.version = a.to_version;
          if (r.phase != ReplicaPhase::kIsolated) r.phase = ReplicaPhase::kStarting;
          r.ready_us = ready;
        }
      c.rollout = Rollout{};
      if (c.version != a.to_version) c.previous_version = c.version;
      c.version = a.to_version;
      c.last_update_us = now_us;
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace ecotone::engine
