// Reading demand history: CSV (several dialects), OpenMetrics / Prometheus
// text exposition, time zones from the TZif database, event files; and
// resampling raw samples onto a regular grid with a repair report.
// Readers take the text (pure parsing) or a path (read here; the only I/O).
// Errors are kInvalidArgument / kIOError with file, line, column and the
// column or field name in Location::path.
#ifndef ECOTONE_HISTORY_HISTORY_H_
#define ECOTONE_HISTORY_HISTORY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/forecast/series.h"

namespace ecotone::history {

// Raw samples of one series as read: timestamps (UTC seconds) in file order,
// values may be NaN for empty/NaN/inf fields (counted, then dropped by
// Resample). counter = cumulative counter (OpenMetrics `counter` type).
struct RawSeries {
  std::string name;
  std::vector<int64_t> times;
  std::vector<double> values;
  bool counter = false;
  std::vector<std::string> notes;  // what the reader assumed, for the report.
};

struct ReadOptions {
  std::string series;  // which series (CSV series column / OpenMetrics name).
  std::string column;  // which value column of a multi-column CSV.
  // Spacing of rows in files without a timestamp column (0 = detect from a
  // `<N>_seconds` file name, else an error asking for --step).
  int64_t step_seconds = 0;
  // Zone for timestamps without an offset ("2014-07-01 00:00:00").
  forecast::TimeZone tz;
};

// Reads a CSV history. Accepted: header required; `timestamp,value`,
// `timestamp,series,value`, Prophet `"ds","y"`, several value columns
// (`--column`), `;` or `;\t` separated (Bitbrains), tab separated, no
// timestamp column (row i at i * step). Timestamps: ISO-8601 date or
// date-time with optional `Z`/`+hh:mm` offset (without one: local time in
// options.tz), or unix seconds (values > 1e11 are taken as milliseconds).
// Returns exactly one series (the selected one).
Result<RawSeries> ReadCsv(std::string_view file_name, std::string_view text,
                          const ReadOptions& options);

// Reads OpenMetrics or Prometheus text exposition: `name{labels} value
// timestamp` lines with `# TYPE`/`# HELP`/`# EOF` comments. Timestamps are
// seconds when the text ends with `# EOF` (OpenMetrics) and milliseconds
// otherwise (Prometheus text format). Samples without a timestamp are an
// error. options.series selects `name` or `name{labels}` when several exist.
Result<RawSeries> ReadOpenMetrics(std::string_view file_name,
                                  std::string_view text,
                                  const ReadOptions& options);

// Reads a file and dispatches on content (`# TYPE`/`# HELP`/`# EOF` or a
// `name{...} v t` first line = OpenMetrics, else CSV). kIOError if the file
// cannot be read; files over 512 MiB are refused.
Result<RawSeries> ReadHistoryFile(const std::string& path,
                                  const ReadOptions& options);

// Parses "2014-07-01 00:00:00", "2014-07-01T00:00:00+02:00", "2014-07-01",
// "...Z", fractional seconds; without an offset the time is local in tz.
// Returns UTC seconds or kInvalidArgument naming the accepted forms.
Result<int64_t> ParseTimestamp(std::string_view text,
                               const forecast::TimeZone& tz);

// Formats UTC seconds as ISO-8601 with the zone's offset at that instant,
// e.g. "2015-02-01T00:00:00+00:00".
std::string FormatTimestamp(int64_t unix_seconds, const forecast::TimeZone& tz);

// Loads a zone: "UTC", a fixed offset "+05:30" / "-08:00", or an IANA name
// read from `zoneinfo_dir` (TZif v2+, 64-bit section). kNotFound for an
// unknown name, kCorruption for a damaged file.
Result<forecast::TimeZone> LoadTimeZone(
    std::string_view name,
    const std::string& zoneinfo_dir = "/usr/share/zoneinfo");
// Parses TZif bytes (pure).
Result<forecast::TimeZone> ParseTzif(std::string_view name,
                                     std::string_view bytes);

// Events file (YAML list or CSV `name,start,end[,effect]`), see
// examples/events.yaml: name, start, end (ISO-8601 or unix seconds), optional
// effect as a multiplier ("1.3") or percentage ("+30%", "-20%").
Result<std::vector<forecast::Event>> ReadEvents(std::string_view file_name,
                                                std::string_view text,
                                                const forecast::TimeZone& tz);
Result<std::vector<forecast::Event>> ReadEventsFile(
    const std::string& path, const forecast::TimeZone& tz);

struct ResampleOptions {
  int64_t step_seconds = 0;  // 0 = the median spacing of the samples.
  bool clip_outliers = true;
  double outlier_threshold = 6.0;  // robust SDs from the local median.
  int max_linear_gap = 3;          // longer gaps are filled seasonally.
};

// What Resample changed, for the user.
struct RepairReport {
  int64_t input_points = 0;
  int64_t nonfinite_dropped = 0;
  bool was_unsorted = false;
  int64_t duplicates_merged = 0;  // samples with an equal timestamp.
  int64_t slot_collisions = 0;    // samples merged into one grid slot.
  int64_t counter_resets = 0;
  int64_t gaps = 0;  // runs of empty grid slots.
  int64_t filled_linear = 0;
  int64_t filled_seasonal = 0;
  int64_t longest_gap_steps = 0;
  int64_t outliers_clipped = 0;
  int64_t step_seconds = 0;
  bool step_detected = false;
  bool aggregated = false;  // step coarser than the data: bucket means.
  std::vector<std::string> notes;
  // One line per repair, e.g. "filled 2 gaps (12 points): 10 linear, ...".
  std::vector<std::string> Lines() const;
};

// Sorts, merges duplicates (mean), turns counters into per-second rates
// (a decrease is a reset: the new value is the increase), places samples on
// a regular grid (round to nearest slot at the native step; bucket means
// when the step is coarser than the data), fills gaps (linear up to
// max_linear_gap slots, else the value one day earlier when the step divides
// a day and that slot exists, else linear), and clips outliers: a point
// farther than threshold * 1.4826 * MAD(residuals) from the median of its
// +-3 neighbours is set to that bound (Hampel filter; Pearson 2002).
// Errors: fewer than 2 finite samples, step <= 0, a grid over
// forecast::kMaxSeriesLength slots.
Result<forecast::Series> Resample(const RawSeries& raw,
                                  const ResampleOptions& options,
                                  RepairReport* report);

}  // namespace ecotone::history

#endif  // ECOTONE_HISTORY_HISTORY_H_
