// The baseline policy (today's default Kubernetes stack); see
// baseline_policy.h for the behaviour modelled and docs/simulate.md for the
// Kubernetes defaults each number comes from.
#include "ecotone/engine/baseline_policy.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ecotone::engine {
namespace {

using model::Action;
using model::ActionKind;
using model::Event;
using model::EventKind;
using model::Place;

// Requests assumed for replicas that declare none (as placement does).
model::Resources RequestOf(const model::Component& c) {
  model::Resources r = c.requests;
  if (r.cpu_millicores == 0) r.cpu_millicores = 100;
  if (r.memory_bytes == 0) r.memory_bytes = 128LL << 20;
  return r;
}

std::string Seconds(int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f s", us / 1e6);
  return buf;
}

// The schedulable bins (hosts when modelled, else racks, else zones) with
// their free cpu and memory, and a proximity-blind spreading choice like the
// default scheduler's: fewest replicas of the component per zone (topology
// spread), then the least-allocated zone, then the bin with the most free cpu.
class Spreader {
 public:
  explicit Spreader(const State& s) : s_(s) {
    const auto& t = s.topology;
    zone_cap_.assign(t.zones.size(), 0);
    zone_used_.assign(t.zones.size(), 0);
    for (size_t zi = 0; zi < t.zones.size(); ++zi) {
      const auto& z = t.zones[zi];
      if (!model::IsUsable(z.state)) continue;
      auto add = [&](Place p, const model::Resources& cap) {
        bins_.push_back({std::move(p), static_cast<int>(zi), cap.cpu_millicores,
                         cap.memory_bytes});
        zone_cap_[zi] += cap.cpu_millicores;
      };
      if (z.racks.empty()) {
        add(Place{z.name, "", ""}, z.capacity);
        continue;
      }
      for (const auto& r : z.racks) {
        if (!model::IsUsable(r.state)) continue;
        if (r.hosts.empty()) {
          add(Place{z.name, r.name, ""}, r.capacity);
          continue;
        }
        for (const auto& h : r.hosts)
          if (model::IsUsable(h.state)) add(Place{z.name, r.name, h.name}, h.capacity);
      }
    }
    for (size_t i = 0; i < s.components.size(); ++i) {
      model::Resources req = RequestOf(s.ecosystem.components[i]);
      for (const auto& r : s.components[i].replicas) Charge(r.place, req);
    }
  }

  // A place for one more replica of component `ci`, or nullopt when no bin
  // has room (the pod stays pending). Charges the bin.
  std::optional<Place> Pick(int ci) {
    const model::Resources req = RequestOf(s_.ecosystem.components[ci]);
    std::vector<int> per_zone(zone_cap_.size(), 0);
    for (const auto& r : s_.components[ci].replicas) {
      if (r.phase == ReplicaPhase::kDown) continue;
      int zi = s_.topology.ZoneIndex(r.place.zone);
      if (zi >= 0) ++per_zone[zi];
    }
    for (const auto& [c, zi] : placed_)
      if (c == ci) ++per_zone[zi];
    int best = -1;
    for (size_t b = 0; b < bins_.size(); ++b) {
      const Bin& x = bins_[b];
      if (x.free_cpu < req.cpu_millicores || x.free_mem < req.memory_bytes) continue;
      if (best < 0) {
        best = static_cast<int>(b);
        continue;
      }
      const Bin& y = bins_[best];
      if (per_zone[x.zone] != per_zone[y.zone]) {
        if (per_zone[x.zone] < per_zone[y.zone]) best = static_cast<int>(b);
        continue;
      }
      if (x.zone != y.zone) {
        double ux = Alloc(x.zone), uy = Alloc(y.zone);
        if (ux < uy - 1e-12) best = static_cast<int>(b);
        continue;
      }
      if (x.free_cpu > y.free_cpu) best = static_cast<int>(b);
    }
    if (best < 0) return std::nullopt;
    Bin& chosen = bins_[best];
    chosen.free_cpu -= req.cpu_millicores;
    chosen.free_mem -= req.memory_bytes;
    zone_used_[chosen.zone] += req.cpu_millicores;
    placed_.emplace_back(ci, chosen.zone);
    return chosen.place;
  }

 private:
  struct Bin {
    Place place;
    int zone = 0;
    int64_t free_cpu = 0;
    int64_t free_mem = 0;
  };
  double Alloc(int zi) const {
    return zone_cap_[zi] > 0 ? static_cast<double>(zone_used_[zi]) / zone_cap_[zi] : 1e9;
  }
  void Charge(const Place& p, const model::Resources& req) {
    for (auto& b : bins_) {
      const bool match = b.place.zone == p.zone &&
                         (b.place.rack.empty() || b.place.rack == p.rack) &&
                         (b.place.host.empty() || b.place.host == p.host);
      if (!match) continue;
      b.free_cpu -= req.cpu_millicores;
      b.free_mem -= req.memory_bytes;
      zone_used_[b.zone] += req.cpu_millicores;
      return;
    }
  }

  const State& s_;
  std::vector<Bin> bins_;
  std::vector<int64_t> zone_cap_, zone_used_;
  std::vector<std::pair<int, int>> placed_;  // (component, zone) chosen here.
};

class BaselinePolicy final : public Policy {
 public:
  explicit BaselinePolicy(const BaselineOptions& o) : o_(o) {}
  std::string_view name() const override { return "baseline"; }

  std::vector<Action> Decide(const State& s, const Event& e, int64_t now) const override {
    std::vector<Action> out;
    std::optional<Spreader> spread;
    auto spreader = [&]() -> Spreader& {
      if (!spread) spread.emplace(s);
      return *spread;
    };
    switch (e.kind) {
      case EventKind::kMetrics:  // the HPA's sync.
        Autoscale(s, e, now, spreader, &out);
        break;
      case EventKind::kTick:  // the node and deployment controllers' loops.
        Evict(s, e, now, spreader, &out);
        ContinueRollouts(s, e, now, &out);
        break;
      case EventKind::kHardware:
        if (e.hardware.change == model::HardwareChange::kMaintenance) Drain(s, e, now, spreader, &out);
        break;
      case EventKind::kNewVersion:
        StartRollout(s, e, now, &out);
        break;
      case EventKind::kBugReport:
        if (o_.rollback_on_bug_report) Rollback(s, e, now, &out);
        break;
      case EventKind::kSecurityAlert:   // no isolation in the default stack.
      case EventKind::kForecastUpdated:  // the HPA is reactive only.
        break;
    }
    for (auto& a : out) {
      a.time_us = now;
      a.event_id = e.id;
      a.ecosystem = s.ecosystem.name;
    }
    return out;
  }

 private:
  template <typename F>
  void Evict(const State& s, const Event& e, int64_t now, F&& spreader,
             std::vector<Action>* out) const {
    const int64_t after = o_.node_monitor_grace_us + o_.not_ready_toleration_us;
    for (size_t ci = 0; ci < s.components.size(); ++ci)
      for (const auto& r : s.components[ci].replicas) {
        if (r.phase != ReplicaPhase::kDown || now - r.ready_us < after) continue;
        auto to = spreader().Pick(static_cast<int>(ci));
        if (!to) continue;  // pending: no room anywhere.
        Action a;
        a.kind = ActionKind::kMigrate;
        a.component = s.ecosystem.components[ci].name;
        a.replica = r.replica;
        a.from = r.place;
        a.to = *to;
        a.live = false;
        a.trigger = "node " + r.place.ToString() + " not ready since " +
                    Seconds(now - r.ready_us) + " ago";
        a.alternatives = {"wait for the node (pods stay bound until the toleration ends)"};
        a.expected_effect = "replica re-created on " + to->ToString();
        a.constraint = "node-monitor-grace-period " + Seconds(o_.node_monitor_grace_us) +
                       " + not-ready toleration " + Seconds(o_.not_ready_toleration_us);
        out->push_back(std::move(a));
      }
  }

  template <typename F>
  void Drain(const State& s, const Event& e, int64_t now, F&& spreader,
             std::vector<Action>* out) const {
    const auto& h = e.hardware;
    for (size_t ci = 0; ci < s.components.size(); ++ci)
      for (const auto& r : s.components[ci].replicas) {
        const bool on = r.place.zone == h.zone && (h.rack.empty() || r.place.rack == h.rack) &&
                        (h.host.empty() || r.place.host == h.host);
        if (!on) continue;
        auto to = spreader().Pick(static_cast<int>(ci));
        if (!to) continue;
        Action a;
        a.kind = ActionKind::kMigrate;
        a.component = s.ecosystem.components[ci].name;
        a.replica = r.replica;
        a.from = r.place;
        a.to = *to;
        a.trigger = "drain of " + r.place.ToString();
        a.expected_effect = "replica evicted and re-created on " + to->ToString();
        a.constraint = "kubectl drain evicts every pod at once";
        out->push_back(std::move(a));
      }
  }

  template <typename F>
  void Autoscale(const State& s, const Event& e, int64_t now, F&& spreader,
                 std::vector<Action>* out) const {
    for (const auto& m : e.metrics) {
      if (m.replica >= 0) continue;
      const int ci = s.ComponentIndex(m.component);
      if (ci < 0) continue;
      const auto& comp = s.ecosystem.components[ci];
      const auto& cs = s.components[ci];
      if (comp.replicas.max <= comp.replicas.min) continue;  // no HPA configured.
      if (cs.isolated || cs.rollout.active) continue;
      const int current = static_cast<int>(cs.replicas.size());
      const int ready = cs.Serving(now);
      if (current == 0 || ready == 0) continue;  // no metrics from ready pods.
      double ratio;  // utilisation / target
      if (comp.capacity_rps_per_replica > 0 && model::HasValue(m.requests_per_s)) {
        ratio = m.requests_per_s / ready / comp.capacity_rps_per_replica;
      } else if (model::HasValue(m.cpu_millicores) && RequestOf(comp).cpu_millicores > 0) {
        ratio = m.cpu_millicores / (RequestOf(comp).cpu_millicores * o_.target_utilisation);
      } else {
        continue;
      }
      if (std::fabs(ratio - 1.0) <= o_.tolerance) continue;
      int desired = static_cast<int>(std::ceil(ratio * ready - 1e-9));
      desired = std::clamp(desired, comp.replicas.min, comp.replicas.max);
      if (desired > current) {
        desired = std::min(desired, std::max(2 * current, current + o_.scale_up_min_step));
        Action a;
        a.kind = ActionKind::kScale;
        a.component = comp.name;
        a.from_replicas = current;
        for (int k = current; k < desired; ++k) {
          auto p = spreader().Pick(ci);
          if (!p) break;
          model::Assignment as;
          as.component = comp.name;
          as.replica = -1;
          as.zone = p->zone;
          as.rack = p->rack;
          as.host = p->host;
          a.placements.push_back(std::move(as));
        }
        if (a.placements.empty()) continue;
        a.to_replicas = current + static_cast<int>(a.placements.size());
        a.trigger = "utilisation " + Pct(ratio * o_.target_utilisation) + " of target " +
                    Pct(o_.target_utilisation);
        a.expected_effect = "utilisation back to about " +
                            Pct(ratio * o_.target_utilisation * ready / a.to_replicas);
        a.constraint = "HPA scale-up: at most max(100%, +" +
                       std::to_string(o_.scale_up_min_step) + ") per sync";
        out->push_back(std::move(a));
      } else if (desired < current) {
        // Stabilisation: scale down only to the highest recommendation of
        // the window (Observe keeps the recent component samples).
        for (const auto& p : cs.recent_load) {
          if (p.time_us <= now - o_.scale_down_stabilisation_us || p.time_us > now) continue;
          double r;
          if (comp.capacity_rps_per_replica > 0 && model::HasValue(p.requests_per_s))
            r = p.requests_per_s / ready / comp.capacity_rps_per_replica;
          else if (model::HasValue(p.cpu_millicores))
            r = p.cpu_millicores / (RequestOf(comp).cpu_millicores * o_.target_utilisation);
          else
            continue;
          int rec = std::fabs(r - 1.0) <= o_.tolerance
                        ? current
                        : static_cast<int>(std::ceil(r * ready - 1e-9));
          desired = std::max(desired, std::clamp(rec, comp.replicas.min, comp.replicas.max));
        }
        // A window that has not yet seen 300 s of samples since the last
        // scale holds the count (the recommendations before it are unknown).
        const int64_t last = std::max(cs.last_scale_out_us, cs.last_scale_in_us);
        if (now - last < o_.scale_down_stabilisation_us) desired = current;
        if (desired >= current) continue;
        Action a;
        a.kind = ActionKind::kScale;
        a.component = comp.name;
        a.from_replicas = current;
        a.to_replicas = desired;
        a.trigger = "utilisation " + Pct(ratio * o_.target_utilisation) + " of target " +
                    Pct(o_.target_utilisation);
        a.expected_effect = "utilisation up to about " +
                            Pct(ratio * o_.target_utilisation * ready / desired);
        a.constraint = "HPA scale-down stabilisation window " +
                       Seconds(o_.scale_down_stabilisation_us);
        out->push_back(std::move(a));
      }
    }
  }

  static std::string Pct(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f%%", v * 100);
    return buf;
  }

  void StartRollout(const State& s, const Event& e, int64_t now, std::vector<Action>* out) const {
    const int ci = s.ComponentIndex(e.release.component);
    if (ci < 0) return;
    const auto& cs = s.components[ci];
    if (cs.version == e.release.version) return;
    out->push_back(Batch(s, ci, e.release.version, e.release.image,
                         "new version " + e.release.version + " available"));
  }

  void ContinueRollouts(const State& s, const Event& e, int64_t now,
                        std::vector<Action>* out) const {
    for (size_t ci = 0; ci < s.components.size(); ++ci) {
      const auto& cs = s.components[ci];
      if (!cs.rollout.active) continue;
      bool ready = true;
      for (const auto& r : cs.replicas)
        if (r.version == cs.rollout.to_version && r.phase == ReplicaPhase::kStarting &&
            r.ready_us > now)
          ready = false;
      if (!ready) continue;
      out->push_back(Batch(s, static_cast<int>(ci), cs.rollout.to_version, cs.rollout.image,
                           "previous batch of " + cs.rollout.to_version + " is ready"));
    }
  }

  Action Batch(const State& s, int ci, const std::string& version, const std::string& image,
               std::string trigger) const {
    const auto& cs = s.components[ci];
    const int n = std::max<int>(1, static_cast<int>(cs.replicas.size()));
    Action a;
    a.kind = ActionKind::kRollingUpdate;
    a.component = s.ecosystem.components[ci].name;
    a.from_version = cs.rollout.active ? cs.rollout.from_version : cs.version;
    a.to_version = version;
    a.image = image;
    a.max_surge = std::max(1, static_cast<int>(std::ceil(n * o_.max_surge)));
    a.max_unavailable = static_cast<int>(std::floor(n * o_.max_unavailable));
    a.batch_size = std::max(a.max_surge, a.max_unavailable);
    a.trigger = std::move(trigger);
    a.expected_effect = "next " + std::to_string(a.batch_size) + " replica(s) on " + version;
    a.constraint = "Deployment rollingUpdate maxSurge 25% / maxUnavailable 25%, no health gate";
    return a;
  }

  void Rollback(const State& s, const Event& e, int64_t now, std::vector<Action>* out) const {
    const int ci = s.ComponentIndex(e.bug.component);
    if (ci < 0) return;
    const auto& cs = s.components[ci];
    const bool running = cs.version == e.bug.version ||
                         (cs.rollout.active && cs.rollout.to_version == e.bug.version);
    // `kubectl rollout undo`: back to the previous revision.
    std::string target = cs.rollout.active ? cs.rollout.from_version : cs.previous_version;
    if (target.empty() || target == e.bug.version) target = cs.known_good_version;
    if (!running || target.empty() || target == e.bug.version) return;
    Action a;
    a.kind = ActionKind::kRollback;
    a.component = e.bug.component;
    a.from_version = e.bug.version;
    a.to_version = target;
    a.trigger = "bug report against " + e.bug.version + ": " + e.bug.summary;
    a.expected_effect = "every replica back on " + target;
    a.constraint = "operator runs kubectl rollout undo after the report (no automatic rollback)";
    out->push_back(std::move(a));
  }

  BaselineOptions o_;
};

}  // namespace

std::unique_ptr<Policy> MakeBaselinePolicy(const BaselineOptions& options) {
  return std::make_unique<BaselinePolicy>(options);
}

}  // namespace ecotone::engine
