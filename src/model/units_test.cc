#include "ecotone/model/units.h"

#include <gtest/gtest.h>

namespace ecotone::model {
namespace {

TEST(Units, CpuForms) {
  EXPECT_EQ(ParseCpuMillicores("500m").value(), 500);
  EXPECT_EQ(ParseCpuMillicores("2").value(), 2000);
  EXPECT_EQ(ParseCpuMillicores("0.25").value(), 250);
  EXPECT_EQ(ParseCpuMillicores(" 1.5 ").value(), 1500);
  EXPECT_EQ(ParseCpuMillicores("1e-1").value(), 100);
  EXPECT_FALSE(ParseCpuMillicores("-1").ok());
  EXPECT_FALSE(ParseCpuMillicores("2 cores").ok());
  EXPECT_FALSE(ParseCpuMillicores("").ok());
  EXPECT_FALSE(ParseCpuMillicores("m").ok());
  EXPECT_FALSE(ParseCpuMillicores("1e400").ok());
}

TEST(Units, MemoryForms) {
  EXPECT_EQ(ParseBytes("512Mi").value(), 512LL << 20);
  EXPECT_EQ(ParseBytes("4Gi").value(), 4LL << 30);
  EXPECT_EQ(ParseBytes("1G").value(), 1000000000LL);
  EXPECT_EQ(ParseBytes("128974848").value(), 128974848LL);
  EXPECT_EQ(ParseBytes("1e3").value(), 1000);
  EXPECT_EQ(ParseBytes("50M").value(), 50000000LL);
  // Compose/Docker byte values are binary.
  EXPECT_EQ(ParseBytes("512m").value(), 512LL << 20);
  EXPECT_EQ(ParseBytes("2gb").value(), 2LL << 30);
  EXPECT_EQ(ParseBytes("100kb").value(), 100LL << 10);
  EXPECT_FALSE(ParseBytes("12 parsecs").ok());
  EXPECT_FALSE(ParseBytes("-5Mi").ok());
  EXPECT_FALSE(ParseBytes("99999999999Ei").ok());
}

TEST(Units, BandwidthForms) {
  EXPECT_EQ(ParseBandwidthBps("100Mbps").value(), 100000000LL);
  EXPECT_EQ(ParseBandwidthBps("1Gbps").value(), 1000000000LL);
  EXPECT_EQ(ParseBandwidthBps("10MB/s").value(), 80000000LL);
  EXPECT_FALSE(ParseBandwidthBps("100").ok());
  EXPECT_FALSE(ParseBandwidthBps("fast").ok());
}

TEST(Units, DurationForms) {
  EXPECT_EQ(ParseDurationMicros("5ms").value(), 5000);
  EXPECT_EQ(ParseDurationMicros("250us").value(), 250);
  EXPECT_EQ(ParseDurationMicros("1.5s").value(), 1500000);
  EXPECT_EQ(ParseDurationMicros("1m30s").value(), 90000000);
  EXPECT_EQ(ParseDurationMicros("90").value(), 90000000);
  EXPECT_EQ(ParseDurationMicros("2h").value(), 7200000000LL);
  EXPECT_FALSE(ParseDurationMicros("5 parsecs").ok());
  EXPECT_FALSE(ParseDurationMicros("-5ms").ok());
  EXPECT_FALSE(ParseDurationMicros("").ok());
  EXPECT_FALSE(ParseDurationMicros("5ms3").ok());
}

TEST(Units, ByteRate) {
  EXPECT_DOUBLE_EQ(ParseByteRate("5MB/s").value(), 5e6);
  EXPECT_DOUBLE_EQ(ParseByteRate("2").value(), 2e6);
  EXPECT_DOUBLE_EQ(ParseByteRate("1KiB/s").value(), 1024);
  EXPECT_FALSE(ParseByteRate("-1MB/s").ok());
}

TEST(Units, FormatRoundTrips) {
  EXPECT_EQ(FormatCpu(500), "500m");
  EXPECT_EQ(FormatCpu(2000), "2");
  EXPECT_EQ(FormatBytes(512LL << 20), "512Mi");
  EXPECT_EQ(FormatBytes(3LL << 29), "1.5Gi");
  EXPECT_EQ(FormatBandwidth(100000000), "100Mbps");
  EXPECT_EQ(FormatDuration(5000), "5ms");
  EXPECT_EQ(FormatDuration(2000000), "2s");
}

}  // namespace
}  // namespace ecotone::model
