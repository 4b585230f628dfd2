#include "ecotone/forecast/series.h"

#include <algorithm>

namespace ecotone::forecast {

int32_t TimeZone::OffsetAt(int64_t t) const {
  auto it =
      std::upper_bound(transitions_unix.begin(), transitions_unix.end(), t);
  if (it == transitions_unix.begin()) return initial_offset_seconds;
  return offset_seconds[static_cast<size_t>(it - transitions_unix.begin()) - 1];
}

TimeZone FixedOffset(int32_t offset_seconds, std::string name) {
  TimeZone tz;
  tz.name = std::move(name);
  tz.initial_offset_seconds = offset_seconds;
  return tz;
}

CalendarPosition CalendarAt(const TimeZone& tz, int64_t t) {
  int64_t local = tz.LocalSeconds(t);
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  CalendarPosition pos;
  pos.second_of_day = local - days * 86400;
  // 1970-01-01 was a Thursday (Monday = 0 -> Thursday = 3).
  int64_t dow = (days + 3) % 7;
  if (dow < 0) dow += 7;
  pos.day_of_week = static_cast<int>(dow);
  return pos;
}

}  // namespace ecotone::forecast
