// Test fixture shared by the engine's (state, policy) and jsonio's engine-state tests: a
// small topology (two zones, racks and hosts in one) and assignment helper.
// Header-only, for tests.
#ifndef ECOTONE_TESTING_ENGINE_FIXTURE_H_
#define ECOTONE_TESTING_ENGINE_FIXTURE_H_

#include <string>

#include "ecotone/model/plan.h"
#include "ecotone/model/topology.h"

namespace ecotone::testing {

inline model::Host HostNamed(const char* name) {
  model::Host h;
  h.name = name;
  return h;
}

inline model::Assignment At(const std::string& c, int replica,
                            const std::string& zone, const std::string& rack,
                            const std::string& host) {
  model::Assignment a;
  a.component = c;
  a.replica = replica;
  a.zone = zone;
  a.rack = rack;
  a.host = host;
  return a;
}

// Two zones; z1 has racks r1 (hosts h1, h2) and r2; z2 has no racks.
inline model::Topology TwoZones() {
  model::Topology t;
  t.name = "t";
  model::Zone z1;
  z1.name = "z1";
  model::Rack r1;
  r1.name = "r1";
  r1.hosts = {HostNamed("h1"), HostNamed("h2")};
  model::Rack r2;
  r2.name = "r2";
  z1.racks = {r1, r2};
  model::Zone z2;
  z2.name = "z2";
  t.zones = {z1, z2};
  t.latency_ms = {0, 2, 2, 0};
  t.egress_per_gb = {0, 0, 0, 0};
  return t;
}

}  // namespace ecotone::testing

#endif  // ECOTONE_TESTING_ENGINE_FIXTURE_H_
