// Private helpers of the Compose reader: variable interpolation
// (`${VAR:-default}` and friends), `.env` / env_file parsing and the port
// syntax of the Compose Specification. Pure functions of their inputs except
// Interpolator, which reads the process environment when asked to.
#ifndef ECOTONE_MANIFEST_COMPOSE_UTIL_H_
#define ECOTONE_MANIFEST_COMPOSE_UTIL_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/model/ecosystem.h"

namespace ecotone::manifest::compose {

// One `KEY=VALUE` line of a `.env` or env_file.
struct EnvLine {
  std::string key;
  std::string value;
  bool has_value = true;  // false for a bare `KEY` line.
  int line = 0;           // 1-based.
};

// Parses the dotenv format used by `docker compose`: `KEY=VALUE`,
// `export KEY=VALUE`, blank lines and `#` comments, values in single quotes
// (literal) or double quotes (with \n \t \" \\ escapes), unquoted values
// with trailing ` #comment` removed, and a bare `KEY` (no value). Returns
// kInvalidArgument naming `file` and the line for an invalid key or an
// unterminated quote.
Result<std::vector<EnvLine>> ParseEnvFile(std::string_view text,
                                          const std::string& file);

// Resolves `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
// `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}` and `$$`.
// Lookup order: the process environment (when enabled), then the
// variables passed in (LoadOptions::variables, which already override
// `.env`). An unset variable without a default becomes "" and adds one
// warning Problem (code "unset-variable") per variable name.
// Not thread-safe (keeps the set of reported names); one per read.
class Interpolator {
 public:
  Interpolator(std::map<std::string, std::string> variables,
               bool use_process_env, std::vector<model::Problem>* problems)
      : vars_(std::move(variables)),
        use_process_env_(use_process_env),
        problems_(problems) {}

  // Returns the interpolated text, or kInvalidArgument at `where` for a
  // `${VAR:?message}` whose variable is unset (or empty with ':'), an
  // unterminated `${`, or an invalid variable name.
  Result<std::string> Expand(std::string_view text, const Location& where);

  // The value of a variable (process env first when enabled), or nullopt.
  std::optional<std::string> Lookup(const std::string& name) const;

 private:
  Result<std::string> ExpandDepth(std::string_view text, const Location& where,
                                  int depth);

  std::map<std::string, std::string> vars_;
  bool use_process_env_;
  std::vector<model::Problem>* problems_;
  std::unordered_set<std::string> reported_;
};

// A container port of a service, from the short or long `ports:` syntax.
struct PortSpec {
  int container_first = 0;  // target port (first of a range).
  int container_last = 0;   // last of a range (== first when no range).
  std::string protocol;     // "tcp" (default) or "udp"/"sctp".
};

// Parses the short syntax: "80", "8080:80", "127.0.0.1:8080:80/udp",
// "[::1]:80:80", "8000-8010:8000-8010", "9090-9091". Returns
// kInvalidArgument (message only; the caller adds the location) for a
// malformed port, a port outside 1..65535 or a reversed range.
Result<PortSpec> ParseShortPort(std::string_view text);

// Parses a Docker memory size as `docker compose` does (go-units
// RAMInBytes): a number, an optional unit letter b k m g t p (any case), an
// optional 'i' and an optional 'b'; every unit is binary ("512M" = 512 MiB,
// "2g" = "2GiB" = 2 GiB). Returns bytes, or kInvalidArgument (message only)
// for other text, negative values or values above 2^62.
Result<int64_t> ParseDockerBytes(std::string_view text);

}  // namespace ecotone::manifest::compose

#endif  // ECOTONE_MANIFEST_COMPOSE_UTIL_H_
