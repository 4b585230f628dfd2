// Readers of the standard placement benchmark formats (outside input):
// OR-Library GAP files, Cordeau et al. (2006) GQAP files, and the tables of
// known optima / best-known values shipped with them. Each reader turns a
// file into a placement::Problem, or a Status naming file, line, column and
// the field (e.g. `gap1-0:7:12: a[1][4]: expected a number`).
//
// Functions are pure over their text arguments (Parse*) or read one file
// (Read*); all are thread-safe.
#ifndef ECOTONE_INSTANCES_INSTANCES_H_
#define ECOTONE_INSTANCES_INSTANCES_H_

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>

#include "ecotone/base/status.h"
#include "ecotone/placement/problem.h"

namespace ecotone::instances {

// Largest accepted number of matrix entries (n·m, n·n or m·m) in one file.
inline constexpr int64_t kMaxEntries = 20'000'000;

// OR-Library GAP: `m n`, c (m rows of n), a (m rows of n), b (m values);
// whitespace-separated numbers. Result: items = n jobs, bins = m agents,
// one dimension, dense cost c, per-(item,bin) demand a, capacity b.
// Errors (InvalidArgument, with the location of the offending token):
// truncated file, a token that is not a number, sizes < 1, n·m or the file
// larger than allowed, negative a or b, extra tokens after b.
Result<placement::Problem> ParseGap(std::string_view text,
                                    std::string_view file_name);
// Reads `path` then ParseGap. IOError if the file cannot be read.
Result<placement::Problem> ReadGap(const std::string& path);

// Cordeau et al. GQAP: `n m v`, t (n×n traffic), d (m×m distance),
// a (n×m installation cost), q (n weights), Q (m capacities). Result:
// items = facilities, bins = sites, one dimension, cost a, demand q,
// capacity Q, λ = v, pairwise weight w_ij = t_ij + t_ji (so that the
// objective equals the format's sum over ordered pairs), distance d.
// A non-zero t_ii adds v·t_ii·d_hh to the cost of facility i on site h.
// If d is not symmetric but t is, d is replaced by (d + dᵀ)/2 and
// w_ij = 2 t_ij (same objective); if neither is symmetric: InvalidArgument.
// Other errors as for ParseGap (negative t, d, q or Q included).
Result<placement::Problem> ParseGqap(std::string_view text,
                                     std::string_view file_name);
// Reads `path` then ParseGqap. IOError if the file cannot be read.
Result<placement::Problem> ReadGqap(const std::string& path);

// Known values for an instance; NaN where unknown.
struct KnownValue {
  double lower_bound = std::numeric_limits<double>::quiet_NaN();
  double optimum = std::numeric_limits<double>::quiet_NaN();  // proven
  double best_known = std::numeric_limits<double>::quiet_NaN();
};

// Parses bounds_fontanf_data.csv (header `Path,Format,Dataset,Item number,
// Agent number,Best known bound,Optimum,Best known solution value`). Keys
// are the Path column, e.g. "chu1997/d20200". Bad numbers: InvalidArgument
// with location.
Result<std::map<std::string, KnownValue>> ParseFontanfBounds(
    std::string_view text, std::string_view file_name);
Result<std::map<std::string, KnownValue>> ReadFontanfBounds(
    const std::string& path);

// Parses the GQAP best-known table of shared/data/placement/README.md
// (rows `| 20-15-35 | 20 | 15 | 2 | 1471896 |`). Keys are file stems, e.g.
// "20-15-35"; values have best_known set.
Result<std::map<std::string, KnownValue>> ParseGqapBestKnown(
    std::string_view text, std::string_view file_name);
Result<std::map<std::string, KnownValue>> ReadGqapBestKnown(
    const std::string& path);

}  // namespace ecotone::instances

#endif  // ECOTONE_INSTANCES_INSTANCES_H_
