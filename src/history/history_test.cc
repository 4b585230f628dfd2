#include "ecotone/history/history.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

namespace ecotone::history {
namespace {

const std::string kTraces = std::string(ECOTONE_SHARED_DATA) + "/traces/";

Result<forecast::Series> LoadTrace(const std::string& file, ReadOptions ro = {},
                                   ResampleOptions rs = {},
                                   RepairReport* rep = nullptr) {
  ECOTONE_ASSIGN_OR_RETURN(RawSeries raw, ReadHistoryFile(kTraces + file, ro));
  return Resample(raw, rs, rep);
}

TEST(ParseTimestamp, AcceptsIsoForms) {
  forecast::TimeZone utc;
  EXPECT_EQ(*ParseTimestamp("1970-01-02", utc), 86400);
  EXPECT_EQ(*ParseTimestamp("2014-07-01 00:00:00", utc), 1404172800);
  EXPECT_EQ(*ParseTimestamp("2014-07-01T02:00:00+02:00", utc), 1404172800);
  EXPECT_EQ(*ParseTimestamp("2014-07-01T00:00:00Z", utc), 1404172800);
  EXPECT_EQ(*ParseTimestamp("2014-07-01T00:00:00.250Z", utc), 1404172800);
  EXPECT_EQ(*ParseTimestamp("1404172800", utc), 1404172800);
  EXPECT_EQ(*ParseTimestamp("1404172800000", utc), 1404172800);  // ms
  EXPECT_FALSE(ParseTimestamp("2014-13-01", utc).ok());
  EXPECT_FALSE(ParseTimestamp("yesterday", utc).ok());
  EXPECT_FALSE(ParseTimestamp("2014-07-01T00:00:00+2", utc).ok());
}

TEST(TimeZone, BerlinDstFromTzif) {
  auto tz = LoadTimeZone("Europe/Berlin");
  ASSERT_TRUE(tz.ok()) << tz.status().ToString();
  // 2024-03-31 01:00Z: CET -> CEST.
  EXPECT_EQ(tz->OffsetAt(1711846800 - 1), 3600);
  EXPECT_EQ(tz->OffsetAt(1711846800), 7200);
  // Local 2024-07-01 12:00 in Berlin is 10:00Z.
  EXPECT_EQ(*ParseTimestamp("2024-07-01 12:00:00", *tz), 1719828000);
  EXPECT_EQ(FormatTimestamp(1719828000, *tz), "2024-07-01T12:00:00+02:00");
  forecast::CalendarPosition p = forecast::CalendarAt(*tz, 1719828000);
  EXPECT_EQ(p.second_of_day, 12 * 3600);
  EXPECT_EQ(p.day_of_week, 0);  // Monday
  EXPECT_EQ(LoadTimeZone("Mars/Olympus").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(LoadTimeZone("../etc/passwd").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadTimeZone("+05:30")->OffsetAt(0), 19800);
  EXPECT_EQ(ParseTzif("x", "TZif2garbage").status().code(),
            StatusCode::kCorruption);
}

TEST(ReadCsv, NycTaxiRegular30Minutes) {
  RepairReport rep;
  auto s = LoadTrace("nab_nyc_taxi.csv", {}, {.clip_outliers = false}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->step_seconds, 1800);
  EXPECT_EQ(s->values.size(), 10320u);
  EXPECT_EQ(s->values[0], 10844);
  EXPECT_EQ(s->start_unix, 1404172800);
  EXPECT_EQ(rep.gaps, 0);
  EXPECT_EQ(rep.duplicates_merged, 0);
}

TEST(ReadCsv, NoTimestampColumnUsesStepFromFileName) {
  auto raw = ReadHistoryFile(
      kTraces + "google2019_instance_usage_grouped_300_seconds_month.csv", {});
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ(raw->times[1], 300);
  EXPECT_EQ(raw->name, "avg_cpu");
  ASSERT_FALSE(raw->notes.empty());
  EXPECT_NE(raw->notes[0].find("several value columns"), std::string::npos);
  // Without the hint in the name, --step is required.
  auto bad = ReadCsv("x.csv", "a,b\n1,2\n", {});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("--step"), std::string::npos);
}

TEST(ReadCsv, BitbrainsSemicolonTabWithColumn) {
  ReadOptions ro;
  ro.column = "CPU usage [%]";
  RepairReport rep;
  auto s = LoadTrace("bitbrains_rnd_2013-7_vm33.csv", ro, {.step_seconds = 300},
                     &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_NEAR(s->values[0], 2.1333333, 1e-6);
  EXPECT_GE(rep.gaps, 1);  // the ~30 h gap
  EXPECT_GE(rep.longest_gap_steps, 300);
  EXPECT_GT(rep.filled_seasonal, 0);
  ro.column = "nope";
  auto bad = ReadHistoryFile(kTraces + "bitbrains_rnd_2013-7_vm33.csv", ro);
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
}

TEST(ReadCsv, ProphetDailyUnsortedWithMissingDays) {
  RepairReport rep;
  auto s = LoadTrace("wikipedia_R_daily_log_views.csv", {},
                     {.clip_outliers = false}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->step_seconds, 86400);
  EXPECT_TRUE(rep.was_unsorted);  // the file starts 2008-01-30, 2008-01-16
  EXPECT_GT(rep.gaps, 0);
}

TEST(ReadCsv, SeriesColumnAndErrorsWithLocation) {
  const char* text =
      "timestamp,series,value\n"
      "2024-01-01T00:00:00Z,api,1\n2024-01-01T00:00:00Z,db,5\n"
      "2024-01-01T00:05:00Z,api,2\n2024-01-01T00:05:00Z,db,6\n";
  auto many = ReadCsv("h.csv", text, {});
  EXPECT_EQ(many.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(many.status().message().find("--series"), std::string::npos);
  ReadOptions ro;
  ro.series = "db";
  auto db = ReadCsv("h.csv", text, ro);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->values, (std::vector<double>{5, 6}));
  auto bad =
      ReadCsv("h.csv", "timestamp,value\n2024-01-01,1\n2024-01-02,abc\n", {});
  EXPECT_EQ(bad.status().where().line, 3);
  EXPECT_EQ(bad.status().where().column, 12);
  EXPECT_EQ(bad.status().where().path, "value");
  auto badts = ReadCsv("h.csv", "timestamp,value\nnot-a-time,1\n", {});
  EXPECT_EQ(badts.status().where().path, "timestamp");
  EXPECT_FALSE(ReadCsv("h.csv", "", {}).ok());
  EXPECT_FALSE(ReadCsv("h.csv", "1,2\n3,4\n", {}).ok());  // no header
}

TEST(Resample, RepairsMessyInput) {
  RawSeries raw;
  // 60 s grid: unsorted, a duplicate, NaN, jitter, a gap of 2 and a spike.
  raw.times = {0, 120, 60, 60, 180, 241, 300, 480, 540, 600, 660, 720, 780};
  raw.values = {1, 3, 2, 4, NAN, 5, 6, 9, 10, 500, 12, 13, 14};
  RepairReport rep;
  auto s = Resample(raw, {}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->step_seconds, 60);
  EXPECT_TRUE(rep.was_unsorted);
  EXPECT_EQ(rep.duplicates_merged, 1);
  EXPECT_EQ(rep.nonfinite_dropped, 1);
  EXPECT_EQ(s->values.size(), 14u);
  EXPECT_DOUBLE_EQ(s->values[1], 3.0);  // mean of 2 and 4
  EXPECT_EQ(rep.gaps, 2);               // slot 3 (NaN) and slots 6..7
  EXPECT_EQ(rep.outliers_clipped, 1);
  EXPECT_LT(s->values[10], 300);  // clipped to median + 6 robust SDs
  EXPECT_FALSE(rep.Lines().empty());
}

TEST(Resample, CounterResetsBecomeRates) {
  RawSeries raw;
  raw.counter = true;
  raw.times = {0, 10, 20, 30, 40};
  raw.values = {100, 110, 120, 5, 15};
  RepairReport rep;
  auto s = Resample(raw, {.clip_outliers = false}, &rep);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(rep.counter_resets, 1);
  EXPECT_EQ(s->values, (std::vector<double>{1, 1, 0.5, 1}));
}

TEST(Resample, AggregatesToCoarserStepAndRejectsBadInput) {
  auto s = LoadTrace("nab_ec2_cpu_utilization_53ea38.csv", {},
                     {.step_seconds = 1800});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->step_seconds, 1800);
  EXPECT_NEAR(static_cast<double>(s->values.size()), 4032 / 6.0, 2);
  RawSeries one;
  one.times = {0};
  one.values = {1};
  EXPECT_EQ(Resample(one, {}, nullptr).status().code(),
            StatusCode::kInvalidArgument);
  RawSeries wide;
  wide.times = {0, 1, 2, 3, 2000000000};
  wide.values = {1, 2, 3, 4, 5};
  auto w = Resample(wide, {}, nullptr);
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(w.status().message().find("too long"), std::string::npos);
}

TEST(ReadOpenMetrics, GaugesCountersAndErrors) {
  const char* om =
      "# TYPE load gauge\n"
      "load{service=\"api\"} 48.5 1795022100\n"
      "load{service=\"api\"} 50 1795022160\n"
      "# TYPE req counter\n"
      "req_total{service=\"api\"} 10 1795022100\n"
      "req_total{service=\"api\"} 70 1795022160\n"
      "req_total{service=\"api\"} 130 1795022220\n"
      "# EOF\n";
  ReadOptions ro;
  ro.series = "req_total";
  auto r = ReadOpenMetrics("m.om", om, ro);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->counter);
  EXPECT_EQ(r->times[0], 1795022100);
  auto s = Resample(*r, {}, nullptr);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->values, (std::vector<double>{1.0, 1.0}));
  auto many = ReadOpenMetrics("m.om", om, {});
  EXPECT_EQ(many.status().code(), StatusCode::kInvalidArgument);
  // Prometheus text format: milliseconds.
  auto prom =
      ReadOpenMetrics("m.prom", "x 1 1795022100000\nx 2 1795022160000\n", {});
  ASSERT_TRUE(prom.ok());
  EXPECT_EQ(prom->times[1], 1795022160);
  auto nots = ReadOpenMetrics("m.om", "x 1\n# EOF\n", {});
  EXPECT_EQ(nots.status().where().line, 1);
  EXPECT_NE(nots.status().message().find("timestamp"), std::string::npos);
  auto badlabel = ReadOpenMetrics("m.om", "x{a=\"1} 1 2\n", {});
  EXPECT_FALSE(badlabel.ok());
}

TEST(ReadEvents, YamlAndCsv) {
  forecast::TimeZone utc;
  auto y = ReadEvents(
      "e.yaml",
      "events:\n"
      "  - {name: marathon, start: 2014-11-02, end: 2014-11-03, effect: "
      "\"-20%\"}\n"
      "  - {name: xmas, start: \"2014-12-25T00:00:00Z\", end: 2014-12-26}\n",
      utc);
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ASSERT_EQ(y->size(), 2u);
  EXPECT_NEAR((*y)[0].expected_effect, 0.8, 1e-12);
  EXPECT_EQ((*y)[1].expected_effect, 0);
  auto c = ReadEvents(
      "e.csv", "name,start,end,effect\nsale,2024-01-01,2024-01-02,1.5\n", utc);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)[0].expected_effect, 1.5);
  auto bad = ReadEvents(
      "e.yaml", "- {name: a, start: 2024-01-02, end: 2024-01-01}\n", utc);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  auto badts = ReadEvents("e.yaml",
                          "- name: a\n  start: soon\n  end: 2024-01-01\n", utc);
  EXPECT_EQ(badts.status().where().line, 2);
  EXPECT_EQ(badts.status().where().path, "events[0].start");
  std::string examples =
      std::string(ECOTONE_SOURCE_DIR) + "/examples/events.yaml";
  auto ex = ReadEventsFile(examples, utc);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  EXPECT_GE(ex->size(), 3u);
}

TEST(Resample, RefusesAHistoryThatIsMostlyGaps) {
  // Two dense days a year apart: 99% of a 5-minute grid would be invented.
  RawSeries raw;
  for (int64_t day : {int64_t{0}, int64_t{365}})
    for (int k = 0; k < 288; ++k) {
      raw.times.push_back(1'700'000'000 + day * 86400 + k * 300);
      raw.values.push_back(10 + k % 7);
    }
  auto s = Resample(raw, {}, nullptr);
  ASSERT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("history is mostly gaps"),
            std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("2023-11-15T22:13:20"),
            std::string::npos)
      << s.status().message();
  // A finer step than the samples' spacing leaves only short gaps: allowed.
  RawSeries coarse;
  for (int k = 0; k < 48 * 14; ++k) {
    coarse.times.push_back(1'700'000'000 + k * 1800);
    coarse.values.push_back(k % 48);
  }
  auto fine = Resample(coarse, {.step_seconds = 300}, nullptr);
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  // And a one-day outage in two weeks is filled, as before.
  RawSeries outage = coarse;
  outage.times.erase(outage.times.begin() + 200, outage.times.begin() + 250);
  outage.values.erase(outage.values.begin() + 200, outage.values.begin() + 250);
  RepairReport rep;
  auto filled = Resample(outage, {}, &rep);
  ASSERT_TRUE(filled.ok()) << filled.status().ToString();
  EXPECT_EQ(rep.longest_gap_steps, 50);
}

}  // namespace
}  // namespace ecotone::history
