#include "net/metrics.h"

#include <gtest/gtest.h>

namespace roost::net {
namespace {

TEST(Metrics, RendersPrometheusText) {
  MetricsRegistry r;
  r.counter("roost_b_total", "B things", {{"protocol", "imap"}}).inc(3);
  Counter& same = r.counter("roost_b_total", "ignored", {{"protocol", "imap"}});
  same.inc();
  r.gauge("roost_a", "A \"gauge\"\nsecond").set(-2);
  r.gauge_callback("roost_c", "C", {{"q", "a\"b"}}, [] { return 1.5; });
  EXPECT_EQ(r.render(),
            "# HELP roost_a A \"gauge\"\\nsecond\n# TYPE roost_a gauge\nroost_a -2\n"
            "# HELP roost_b_total B things\n# TYPE roost_b_total counter\n"
            "roost_b_total{protocol=\"imap\"} 4\n"
            "# HELP roost_c C\n# TYPE roost_c gauge\nroost_c{q=\"a\\\"b\"} 1.5\n");
}

}  // namespace
}  // namespace roost::net
