// Dependency inference shared by the Compose and Kubernetes readers: finding
// host names inside configuration values, resolving them to components, and
// guessing component and dependency kinds from images and ports.
// Pure functions; a HostIndex is immutable after Build and thread-safe to read.
#ifndef ECOTONE_MANIFEST_INFER_H_
#define ECOTONE_MANIFEST_INFER_H_

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ecotone/model/ecosystem.h"

namespace ecotone::manifest {

// A host mentioned inside a value, e.g. "cart" and 7070 in "cart:7070",
// "user-db" in "mongodb://u:p@user-db:27017/x", "sqldata" in
// "Server=sqldata;Database=x".
struct HostMention {
  std::string host;      // lower-cased host as written.
  int port = 0;          // 0 when none was written.
  std::string scheme;    // "mongodb", "http", "amqp"... or "" when none.
  bool bare = false;     // the whole value was just the host name.
};

// Finds candidate host names in a configuration value. Recognises URLs
// (scheme://[user[:pass]@]host[:port][/...], several comma-separated hosts),
// host:port pairs, ADO/JDBC-style key=value strings (Server=, Host=,
// Data Source=, Address=, tcp:host,port), and a value that is a bare host
// name. Never returns IP literals, "localhost" or numbers, nor more than 256
// mentions for one value.
std::vector<HostMention> FindHostMentions(std::string_view value);

// Maps host names to component names. A component is reachable under its
// own name, any alias added with Add (Compose network aliases, hostnames,
// container_name; Kubernetes Service names), and for Kubernetes under
// "svc.ns", "svc.ns.svc" and "svc.ns.svc.cluster.local".
class HostIndex {
 public:
  // Adds `host` (case-insensitive) as a name of `component`. A host that
  // already names another component becomes ambiguous and resolves to none.
  void Add(std::string_view host, std::string_view component);
  // Adds the Kubernetes DNS forms of a Service in `ns`.
  void AddKubernetesService(std::string_view service, std::string_view ns,
                            std::string_view component);
  // The component a host name refers to, or nullopt.
  std::optional<std::string> Resolve(std::string_view host) const;

 private:
  std::unordered_map<std::string, std::string> names_;
};

// The component kind suggested by an image name ("postgres:15" -> database,
// "redis" -> cache, "rabbitmq" -> queue, "nginx" -> gateway), or nullopt.
std::optional<model::ComponentKind> KindFromImage(std::string_view image);
// The component kind suggested by a well-known port (5432 -> database,
// 6379 -> cache, 5672/9092/4222 -> queue), or nullopt.
std::optional<model::ComponentKind> KindFromPort(int port);
// The dependency kind for a call into a component of `target_kind`
// (database -> database, cache -> cache, queue -> queue-publish, gateway and
// others -> http; a port of 50051 or a "grpc" scheme -> grpc).
model::DependencyKind DependencyKindFor(model::ComponentKind target_kind,
                                        std::string_view scheme, int port);
// Whether components of this kind keep state (database, queue, storage).
bool KindIsStateful(model::ComponentKind kind);

}  // namespace ecotone::manifest

#endif  // ECOTONE_MANIFEST_INFER_H_
