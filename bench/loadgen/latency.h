// LatencySet: every latency sample of a run, per operation name (exact percentiles; a run of
// minutes at thousands of commands per second is a few MB of samples).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common.h"
#include "json.h"

namespace roost::bench {

class LatencySet {
 public:
  void add(std::string_view op, SteadyClock::duration d);
  void add_micros(std::string_view op, double micros);
  void merge(const LatencySet& other);

  uint64_t count() const;
  uint64_t count(std::string_view op) const;
  // {op: {count, p50_ms, p99_ms, mean_ms, max_ms}, ...}
  Json summary() const;
  // {count, p50_ms, p99_ms, mean_ms, max_ms} of one op, or, when op is empty, of every op
  // but "connect" (TCP + TLS set-up is not a command).
  Json summary(std::string_view op) const;

 private:
  std::map<std::string, std::vector<float>, std::less<>> micros_;
};

// Nearest-rank percentile (p in 0..1) of unsorted samples; sorts them.
double percentile(std::vector<float>& samples, double p);

}  // namespace roost::bench
