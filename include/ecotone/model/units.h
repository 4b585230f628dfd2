// Unit parsing: quantities are parsed once, at the edge, into integers whose
// unit is in the name (millicores, bytes, bits per second, microseconds).
// All functions are pure and thread-safe. On failure they return
// kInvalidArgument with a message naming the accepted forms; the caller adds
// the location.
#ifndef ECOTONE_MODEL_UNITS_H_
#define ECOTONE_MODEL_UNITS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ecotone/base/status.h"

namespace ecotone::model {

// CPU: "500m" = 500 millicores, "2" / "2.5" / "0.1" cores (Kubernetes
// quantity). Returns millicores (rounded up to 1 when positive and below).
Result<int64_t> ParseCpuMillicores(std::string_view text);

// Memory or storage: plain bytes "1048576", decimal suffixes k M G T P E
// (also "K"), binary Ki Mi Gi Ti Pi Ei, Compose-style "512m", "1g", "100kb",
// "2gb" (binary multiples, as Docker does), and exponents "1e9".
Result<int64_t> ParseBytes(std::string_view text);

// Bandwidth: "100Mbps", "1Gbps", "500kbps", "10bps", "1.5Gbit/s",
// "10MB/s" (bytes per second, times 8). Returns bits per second.
Result<int64_t> ParseBandwidthBps(std::string_view text);

// Durations: "5ms", "250us", "1.5s", "2m", "1h", "1d", "90" (seconds),
// Compose forms like "1m30s". Returns microseconds.
Result<int64_t> ParseDurationMicros(std::string_view text);

// Data rate for traffic: "5MB/s", "200KB/s", "1.5 MiB/s", plain number = MB/s.
// Returns bytes per second.
Result<double> ParseByteRate(std::string_view text);

// Human-readable forms used in output ("500m", "2", "512Mi", "1.5Gi",
// "100Mbps", "5ms").
std::string FormatCpu(int64_t millicores);
std::string FormatBytes(int64_t bytes);
std::string FormatBandwidth(int64_t bps);
std::string FormatDuration(int64_t micros);

}  // namespace ecotone::model

#endif  // ECOTONE_MODEL_UNITS_H_
