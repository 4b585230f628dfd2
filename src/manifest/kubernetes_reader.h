// Private interface of the Kubernetes reader (src/manifest/kubernetes.cc):
// reader-specific options that LoadOptions does not carry, and the limits
// that turn absurd numbers into input errors. See docs/import-kubernetes.md.
#ifndef ECOTONE_MANIFEST_KUBERNETES_READER_H_
#define ECOTONE_MANIFEST_KUBERNETES_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/manifest/manifest.h"

namespace ecotone::manifest {

// Largest accepted replica count (spec.replicas, parallelism, HPA bounds).
inline constexpr int64_t kMaxK8sReplicas = 100000;
// Largest accepted per-container cpu (100,000 cores) and memory or
// ephemeral storage (1 PiB): larger values are typos, not machines.
inline constexpr int64_t kMaxK8sCpuMillicores = 100000LL * 1000;
inline constexpr int64_t kMaxK8sBytes = 1LL << 50;
// `kind: List` inside `kind: List` is followed this deep.
inline constexpr int kMaxK8sListDepth = 4;

struct KubernetesReadOptions {
  // Infers "P-service -> P-mongo" style edges (store suffixes: mongo,
  // mongodb, mysql, mariadb, postgres, postgresql, db, database, redis,
  // cache, memcached) between workloads of one namespace when the target is
  // a database or cache and no other evidence links the two. Every such edge
  // carries evidence whose reason starts with "naming convention".
  bool naming_convention = true;
};

// ReadKubernetes with reader-specific options. Same contract as
// ReadKubernetes (include/ecotone/manifest/manifest.h): the objects of all
// `texts` (named by `names`) form one ecosystem; returns kInvalidArgument
// with file, line, column and field path for invalid input, and never
// throws.
Result<LoadResult> ReadKubernetesWith(const std::vector<std::string>& names,
                                      const std::vector<std::string>& texts,
                                      const LoadOptions& options,
                                      const KubernetesReadOptions& k8s);

}  // namespace ecotone::manifest

#endif  // ECOTONE_MANIFEST_KUBERNETES_READER_H_
