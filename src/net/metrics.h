// MetricsRegistry: counters and gauges rendered in the Prometheus text exposition format
// (version 0.0.4). Thread-safe; references returned by counter()/gauge() stay valid for the
// registry's lifetime, so hot paths keep them and only touch an atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace roost::net {

// Label pairs, e.g. {{"protocol", "imap"}}. Order is kept as given.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void inc(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  void dec(int64_t n = 1) { value_.fetch_sub(n, std::memory_order_relaxed); }
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class MetricsRegistry {
 public:
  // Same name + labels returns the same object. A name keeps the type and help of its first use.
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  // A gauge computed at render time (e.g. store queue depth). Called under the registry lock:
  // keep it cheap and non-blocking, and never touch the registry from inside it.
  void gauge_callback(std::string_view name, std::string_view help, const Labels& labels,
                      std::function<double()> read);

  // "# HELP", "# TYPE" and one sample line per series, families sorted by name.
  std::string render() const;

 private:
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::function<double()> callback;
  };
  struct Family {
    std::string help;
    bool is_counter = false;
    std::map<std::string, Series> series;  // key: rendered label set "{a="b"}"
  };
  Family& family(std::string_view name, std::string_view help, bool is_counter);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace roost::net
