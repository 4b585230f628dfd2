#include "ecotone/model/plan.h"

#include <algorithm>
#include <utility>

namespace ecotone::model {

std::string Assignment::PlaceString() const {
  std::string s = zone;
  if (!rack.empty()) s += "/" + rack;
  if (!host.empty()) s += "/" + host;
  return s;
}

namespace {

std::vector<const Assignment*> Sorted(const PlacementPlan& p) {
  std::vector<const Assignment*> v;
  v.reserve(p.assignments.size());
  for (const Assignment& a : p.assignments) v.push_back(&a);
  std::sort(v.begin(), v.end(), [](const Assignment* a, const Assignment* b) {
    return std::tie(a->component, a->replica) <
           std::tie(b->component, b->replica);
  });
  return v;
}

}  // namespace

PlanDelta Diff(const PlacementPlan& from, const PlacementPlan& to) {
  PlanDelta d;
  auto a = Sorted(from);
  auto b = Sorted(to);
  size_t i = 0, j = 0;
  auto less = [](const Assignment* x, const Assignment* y) {
    return std::tie(x->component, x->replica) <
           std::tie(y->component, y->replica);
  };
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && less(a[i], b[j]))) {
      d.removed.push_back(*a[i++]);
    } else if (i == a.size() || less(b[j], a[i])) {
      d.added.push_back(*b[j++]);
    } else {
      if (!(*a[i] == *b[j])) {
        d.moves.push_back({a[i]->component, a[i]->replica, a[i]->PlaceString(),
                           b[j]->PlaceString(), a[i]->zone, b[j]->zone});
      }
      ++i;
      ++j;
    }
  }
  return d;
}

}  // namespace ecotone::model
