#include "latency.h"

#include <algorithm>
#include <cmath>

namespace roost::bench {
namespace {

Json describe(std::vector<float> samples) {
  Json out = Json::object();
  out.set("count", static_cast<uint64_t>(samples.size()));
  if (samples.empty()) return out;
  double sum = 0;
  for (float s : samples) sum += s;
  out.set("p50_ms", percentile(samples, 0.50) / 1000.0);
  out.set("p99_ms", percentile(samples, 0.99) / 1000.0);
  out.set("mean_ms", sum / samples.size() / 1000.0);
  out.set("max_ms", samples.back() / 1000.0);  // sorted by percentile()
  return out;
}

}  // namespace

double percentile(std::vector<float>& samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  size_t rank = static_cast<size_t>(std::ceil(p * samples.size()));
  return samples[std::clamp<size_t>(rank, 1, samples.size()) - 1];
}

void LatencySet::add(std::string_view op, SteadyClock::duration d) {
  add_micros(op, std::chrono::duration<double, std::micro>(d).count());
}

void LatencySet::add_micros(std::string_view op, double micros) {
  auto it = micros_.find(op);
  if (it == micros_.end()) it = micros_.emplace(std::string(op), std::vector<float>{}).first;
  it->second.push_back(static_cast<float>(micros));
}

void LatencySet::merge(const LatencySet& other) {
  for (const auto& [op, samples] : other.micros_) {
    auto& mine = micros_[op];
    mine.insert(mine.end(), samples.begin(), samples.end());
  }
}

uint64_t LatencySet::count() const {
  uint64_t n = 0;
  for (const auto& [op, samples] : micros_) n += samples.size();
  return n;
}

uint64_t LatencySet::count(std::string_view op) const {
  auto it = micros_.find(op);
  return it == micros_.end() ? 0 : it->second.size();
}

Json LatencySet::summary() const {
  Json out = Json::object();
  for (const auto& [op, samples] : micros_) out.set(op, describe(samples));
  return out;
}

Json LatencySet::summary(std::string_view op) const {
  if (!op.empty()) {
    auto it = micros_.find(op);
    return describe(it == micros_.end() ? std::vector<float>{} : it->second);
  }
  std::vector<float> all;
  for (const auto& [name, samples] : micros_) {
    if (name != "connect") all.insert(all.end(), samples.begin(), samples.end());
  }
  return describe(std::move(all));
}

}  // namespace roost::bench
