#include "net/metrics.h"

#include <fmt/format.h>

#include <cmath>

namespace roost::net {

namespace {

// Prometheus text format: label values escape backslash, double quote and newline.
std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string label_key(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += fmt::format("{}=\"{}\"", labels[i].first, escape_label(labels[i].second));
  }
  return out + "}";
}

std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

}  // namespace

MetricsRegistry::Family& MetricsRegistry::family(std::string_view name, std::string_view help,
                                                 bool is_counter) {
  auto it = families_.find(name);
  if (it != families_.end()) return it->second;
  Family& f = families_[std::string(name)];
  f.help = std::string(help);
  f.is_counter = is_counter;
  return f;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  const Labels& labels) {
  std::lock_guard lock(mu_);
  Series& s = family(name, help, true).series[label_key(labels)];
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Series& s = family(name, help, false).series[label_key(labels)];
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

void MetricsRegistry::gauge_callback(std::string_view name, std::string_view help,
                                     const Labels& labels, std::function<double()> read) {
  std::lock_guard lock(mu_);
  family(name, help, false).series[label_key(labels)].callback = std::move(read);
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(f.help), name,
                       f.is_counter ? "counter" : "gauge");
    for (const auto& [labels, s] : f.series) {
      std::string value;
      if (s.counter)
        value = fmt::format("{}", s.counter->value());
      else if (s.gauge)
        value = fmt::format("{}", s.gauge->value());
      else if (s.callback)
        value = format_double(s.callback());
      else
        continue;
      out += fmt::format("{}{} {}\n", name, labels, value);
    }
  }
  return out;
}

}  // namespace roost::net
