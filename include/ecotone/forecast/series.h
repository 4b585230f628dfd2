// Regular time series, calendars and declared events: the value types every
// forecasting model consumes. Pure data, no I/O; safe to share between
// threads when not mutated.
#ifndef ECOTONE_FORECAST_SERIES_H_
#define ECOTONE_FORECAST_SERIES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ecotone::forecast {

// A series on a regular grid: values[i] is the observation for the interval
// starting at start_unix + i * step_seconds (UTC seconds). Values are finite
// (readers repair or reject NaN/inf before building a Series).
struct Series {
  std::string name;
  int64_t start_unix = 0;
  int64_t step_seconds = 0;
  std::vector<double> values;

  int64_t TimeAt(int64_t i) const { return start_unix + i * step_seconds; }
  bool operator==(const Series&) const = default;
};

// A time zone as a table of UTC offsets: offset_seconds[i] applies from
// transitions_unix[i] (inclusive) until the next transition. Before the first
// transition initial_offset_seconds applies; after the last, the last offset
// (the TZif tables on Debian are "fat" and run to 2037). A fixed-offset zone
// has no transitions. Built by history::LoadTimeZone (which reads
// /usr/share/zoneinfo) or FixedOffset(); immutable and thread-safe.
struct TimeZone {
  std::string name = "UTC";
  int32_t initial_offset_seconds = 0;
  std::vector<int64_t> transitions_unix;
  std::vector<int32_t> offset_seconds;

  // UTC offset in seconds at instant t (UTC seconds). O(log transitions).
  int32_t OffsetAt(int64_t t) const;
  // Local wall-clock seconds since the epoch at instant t.
  int64_t LocalSeconds(int64_t t) const { return t + OffsetAt(t); }
  bool operator==(const TimeZone&) const = default;
};

// A fixed-offset zone, e.g. FixedOffset(3600, "+01:00").
TimeZone FixedOffset(int32_t offset_seconds, std::string name);

// Local calendar position of instant t in `tz`: seconds since local midnight
// [0, 86400) and day of week 0 = Monday .. 6 = Sunday.
struct CalendarPosition {
  int64_t second_of_day = 0;
  int day_of_week = 0;
};
CalendarPosition CalendarAt(const TimeZone& tz, int64_t t);

// A declared external event or holiday: [start_unix, end_unix) in UTC.
// expected_effect is a multiplier of demand during the event (1.3 = +30%);
// 0 = unknown (the regression model learns it from past occurrences of the
// same name; other models ignore events without an expected effect).
struct Event {
  std::string name;
  int64_t start_unix = 0;
  int64_t end_unix = 0;
  double expected_effect = 0;
  bool operator==(const Event&) const = default;
};

}  // namespace ecotone::forecast

#endif  // ECOTONE_FORECAST_SERIES_H_
