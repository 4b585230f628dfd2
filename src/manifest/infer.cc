#include "ecotone/manifest/infer.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace ecotone::manifest {
namespace {

using model::ComponentKind;
using model::DependencyKind;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
         c == '_';
}

// A DNS-ish name: letters, digits, '-', '_', '.'; starts with a letter or
// digit; contains a letter (so numbers and IPv4 literals are excluded).
bool LooksLikeHost(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  if (!std::isalnum(static_cast<unsigned char>(h.front()))) return false;
  if (h.back() == '.' || h.back() == '-') return false;
  bool letter = false;
  for (char c : h) {
    if (!IsHostChar(c)) return false;
    if (std::isalpha(static_cast<unsigned char>(c))) letter = true;
  }
  if (!letter) return false;
  std::string l = Lower(h);
  if (l == "localhost" || l == "true" || l == "false" || l == "null" ||
      l == "none" || l == "yes" || l == "no")
    return false;
  return true;
}

int ParsePort(std::string_view s) {
  if (s.empty() || s.size() > 5) return -1;
  int v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    v = v * 10 + (c - '0');
  }
  return (v >= 1 && v <= 65535) ? v : -1;
}

// Values naming more hosts than this are not configuration but data; the
// cap keeps the duplicate scan below (linear per mention) from turning a
// large hostile value into quadratic work.
constexpr size_t kMaxMentionsPerValue = 256;

void AddMention(std::vector<HostMention>* out, std::string_view host, int port,
                std::string_view scheme, bool bare) {
  if (out->size() >= kMaxMentionsPerValue) return;
  if (!LooksLikeHost(host)) return;
  std::string h = Lower(host);
  for (auto& m : *out) {
    if (m.host == h) {
      if (m.port == 0) m.port = port;
      if (m.scheme.empty()) m.scheme = std::string(scheme);
      return;
    }
  }
  out->push_back({h, port, Lower(scheme), bare});
}

// "host[:port]" or "host,port" (ADO style) inside an authority or a value.
void AddHostPort(std::vector<HostMention>* out, std::string_view hp,
                 std::string_view scheme) {
  hp = Trim(hp);
  if (hp.empty()) return;
  if (hp.front() == '[') return;  // IPv6 literal.
  size_t sep = hp.find_last_of(":,");
  int port = 0;
  std::string_view host = hp;
  if (sep != std::string_view::npos) {
    int p = ParsePort(hp.substr(sep + 1));
    if (p > 0) {
      port = p;
      host = hp.substr(0, sep);
    }
  }
  AddMention(out, host, port, scheme, false);
}

constexpr std::array<std::string_view, 9> kHostKeys = {
    "server", "host", "data source", "datasource", "address", "addr",
    "hostname", "addresses", "servers"};

}  // namespace

std::vector<HostMention> FindHostMentions(std::string_view value) {
  std::vector<HostMention> out;
  std::string rest(value);
  // Pass 1: URLs. Blank each URL's span out of `rest` once read.
  for (size_t pos = rest.find("://"); pos != std::string::npos;
       pos = rest.find("://", pos + 3)) {
    size_t s = pos;
    while (s > 0 && (std::isalnum(static_cast<unsigned char>(rest[s - 1])) ||
                     rest[s - 1] == '+' || rest[s - 1] == '-' || rest[s - 1] == '.'))
      --s;
    std::string scheme = rest.substr(s, pos - s);
    size_t a = pos + 3;
    size_t e = a;
    while (e < rest.size() && rest[e] != '/' && rest[e] != '?' && rest[e] != '#' &&
           rest[e] != ';' && rest[e] != ' ' && rest[e] != '"' && rest[e] != '\'' &&
           rest[e] != '\t' && rest[e] != '\n')
      ++e;
    std::string_view authority(rest.data() + a, e - a);
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) authority.remove_prefix(at + 1);
    // Several hosts: mongodb://a:1,b:2 (comma separates host:port pairs).
    size_t start = 0;
    while (start <= authority.size()) {
      size_t comma = authority.find(',', start);
      std::string_view part = authority.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      // "host:port" only (a comma here separates hosts, not ports).
      size_t colon = part.rfind(':');
      int port = 0;
      std::string_view host = part;
      if (colon != std::string_view::npos) {
        int p = ParsePort(part.substr(colon + 1));
        if (p > 0) port = p;
        host = part.substr(0, colon);
      }
      AddMention(&out, host, port, scheme, false);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    for (size_t i = s; i < e; ++i) rest[i] = ' ';
  }
  // Pass 2: key=value connection strings (ADO.NET, JDBC-ish, libpq).
  {
    size_t start = 0;
    while (start < rest.size()) {
      size_t semi = rest.find(';', start);
      std::string_view part(rest.data() + start,
                            (semi == std::string::npos ? rest.size() : semi) - start);
      size_t eq = part.find('=');
      if (eq != std::string_view::npos) {
        std::string key = Lower(Trim(part.substr(0, eq)));
        std::string_view val = Trim(part.substr(eq + 1));
        if (std::find(kHostKeys.begin(), kHostKeys.end(), key) != kHostKeys.end()) {
          if (val.size() > 4 && Lower(val.substr(0, 4)) == "tcp:") val.remove_prefix(4);
          AddHostPort(&out, val, "");
          for (size_t i = start; i < start + part.size(); ++i) rest[i] = ' ';
        }
      }
      if (semi == std::string::npos) break;
      start = semi + 1;
    }
  }
  // Pass 3: host:port tokens anywhere, and the bare-host value.
  std::string_view trimmed = Trim(value);
  bool whole_is_host = LooksLikeHost(trimmed) && out.empty();
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && !(IsHostChar(rest[i]) || rest[i] == ':')) ++i;
    size_t s = i;
    while (i < rest.size() && (IsHostChar(rest[i]) || rest[i] == ':')) ++i;
    std::string_view tok(rest.data() + s, i - s);
    size_t colon = tok.find(':');
    if (colon != std::string_view::npos && tok.find(':', colon + 1) == std::string_view::npos) {
      int p = ParsePort(tok.substr(colon + 1));
      if (p > 0) AddMention(&out, tok.substr(0, colon), p, "", false);
    }
  }
  if (whole_is_host) AddMention(&out, trimmed, 0, "", true);
  return out;
}

void HostIndex::Add(std::string_view host, std::string_view component) {
  std::string h = Lower(host);
  auto [it, inserted] = names_.emplace(h, std::string(component));
  if (!inserted && it->second != component) it->second.clear();  // ambiguous.
}

void HostIndex::AddKubernetesService(std::string_view service, std::string_view ns,
                                     std::string_view component) {
  std::string s(service);
  Add(s, component);
  if (!ns.empty()) {
    std::string n(ns);
    Add(s + "." + n, component);
    Add(s + "." + n + ".svc", component);
    Add(s + "." + n + ".svc.cluster.local", component);
  }
}

std::optional<std::string> HostIndex::Resolve(std::string_view host) const {
  std::string h = Lower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();  // FQDN dot.
  auto it = names_.find(h);
  if (it == names_.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::optional<ComponentKind> KindFromImage(std::string_view image) {
  std::string img = Lower(image);
  // Strip digest and tag (a ':' after the last '/').
  if (size_t at = img.find('@'); at != std::string::npos) img.resize(at);
  size_t slash = img.rfind('/');
  if (size_t colon = img.rfind(':');
      colon != std::string::npos && (slash == std::string::npos || colon > slash))
    img.resize(colon);
  std::vector<std::string> tokens;
  std::string cur;
  for (char c : img) {
    if (c == '/' || c == '-' || c == '_' || c == '.') {
      if (!cur.empty()) tokens.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) tokens.push_back(cur);
  static constexpr std::pair<std::string_view, ComponentKind> kWords[] = {
      {"postgres", ComponentKind::kDatabase}, {"postgresql", ComponentKind::kDatabase},
      {"postgis", ComponentKind::kDatabase}, {"mysql", ComponentKind::kDatabase},
      {"mariadb", ComponentKind::kDatabase}, {"mongo", ComponentKind::kDatabase},
      {"mongodb", ComponentKind::kDatabase}, {"mssql", ComponentKind::kDatabase},
      {"sqlserver", ComponentKind::kDatabase}, {"cassandra", ComponentKind::kDatabase},
      {"scylla", ComponentKind::kDatabase}, {"cockroach", ComponentKind::kDatabase},
      {"cockroachdb", ComponentKind::kDatabase}, {"couchdb", ComponentKind::kDatabase},
      {"neo4j", ComponentKind::kDatabase}, {"influxdb", ComponentKind::kDatabase},
      {"clickhouse", ComponentKind::kDatabase}, {"elasticsearch", ComponentKind::kDatabase},
      {"opensearch", ComponentKind::kDatabase}, {"spanner", ComponentKind::kDatabase},
      {"db", ComponentKind::kDatabase}, {"oracle", ComponentKind::kDatabase},
      {"redis", ComponentKind::kCache}, {"memcached", ComponentKind::kCache},
      {"valkey", ComponentKind::kCache}, {"keydb", ComponentKind::kCache},
      {"hazelcast", ComponentKind::kCache}, {"varnish", ComponentKind::kCache},
      {"rabbitmq", ComponentKind::kQueue}, {"kafka", ComponentKind::kQueue},
      {"redpanda", ComponentKind::kQueue}, {"nats", ComponentKind::kQueue},
      {"activemq", ComponentKind::kQueue}, {"pulsar", ComponentKind::kQueue},
      {"mosquitto", ComponentKind::kQueue}, {"emqx", ComponentKind::kQueue},
      {"nsq", ComponentKind::kQueue},
      {"nginx", ComponentKind::kGateway}, {"envoy", ComponentKind::kGateway},
      {"traefik", ComponentKind::kGateway}, {"haproxy", ComponentKind::kGateway},
      {"kong", ComponentKind::kGateway}, {"openresty", ComponentKind::kGateway},
      {"minio", ComponentKind::kStorage}, {"ceph", ComponentKind::kStorage},
  };
  // The last path component decides first ("bitnami/redis"), then any token.
  std::string last = slash == std::string::npos ? img : img.substr(slash + 1);
  for (const auto& [w, k] : kWords)
    if (last == w) return k;
  // Tools named after the system they talk to are not that system:
  // "etl-kafka", "redis-exporter", "kafka-ui", "mongo-express", "pgadmin".
  static constexpr std::string_view kToolWords[] = {
      "exporter", "ui",       "admin",     "express", "connect",
      "etl",      "client",   "consumer",  "producer", "commander",
      "insight",  "gui",      "dashboard", "operator", "cli"};
  for (const auto& t : tokens)
    for (std::string_view w : kToolWords)
      if (t == w) return std::nullopt;
  for (const auto& t : tokens)
    for (const auto& [w, k] : kWords)
      if (t == w) return k;
  return std::nullopt;
}

std::optional<ComponentKind> KindFromPort(int port) {
  switch (port) {
    case 5432: case 3306: case 27017: case 1433: case 9042: case 5984:
    case 26257: case 7687: case 1521: case 9200:
      return ComponentKind::kDatabase;
    case 6379: case 11211:
      return ComponentKind::kCache;
    case 5672: case 9092: case 4222: case 1883: case 61616: case 6650:
      return ComponentKind::kQueue;
    default:
      return std::nullopt;
  }
}

DependencyKind DependencyKindFor(ComponentKind target_kind, std::string_view scheme,
                                 int port) {
  switch (target_kind) {
    case ComponentKind::kDatabase: return DependencyKind::kDatabase;
    case ComponentKind::kCache: return DependencyKind::kCache;
    case ComponentKind::kQueue: return DependencyKind::kQueuePublish;
    case ComponentKind::kStorage: return DependencyKind::kDataFlow;
    default: break;
  }
  std::string s = Lower(scheme);
  if (s == "grpc" || s == "grpcs" || port == 50051) return DependencyKind::kGrpc;
  if (s == "amqp" || s == "amqps" || s == "kafka" || s == "nats" || s == "mqtt")
    return DependencyKind::kQueuePublish;
  if (s == "mongodb" || s == "postgres" || s == "postgresql" || s == "mysql" ||
      s == "jdbc" || s == "sqlserver")
    return DependencyKind::kDatabase;
  if (s == "redis" || s == "rediss" || s == "memcached") return DependencyKind::kCache;
  if (auto k = KindFromPort(port)) return DependencyKindFor(*k, "", 0);
  return DependencyKind::kHttp;
}

bool KindIsStateful(ComponentKind kind) {
  return kind == ComponentKind::kDatabase || kind == ComponentKind::kQueue ||
         kind == ComponentKind::kStorage;
}

}  // namespace ecotone::manifest
