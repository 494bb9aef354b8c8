#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace appealhub::core {
namespace {

using Type = MetricsText::Type;

TEST(MetricsText, WritesEachFamilyOnceWithItsSamplesTogether) {
  MetricsText m;
  m.declare("a_total", Type::counter, "A.");
  m.declare("b", Type::gauge, "B.");
  m.add("a_total", {{"x", "1"}}, 3);
  m.add("b", {}, 0.5);
  // A second source declares the same family again and adds to it.
  m.declare("a_total", Type::counter, "Another help that is ignored.");
  m.add("a_total", {{"x", "2"}}, 4);
  EXPECT_EQ(m.text(),
            "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 3\na_total{x=\"2\"} 4\n"
            "# HELP b B.\n# TYPE b gauge\nb 0.5\n");
}

TEST(MetricsText, KeepsTheFirstSampleOfASeries) {
  MetricsText m;
  m.declare("lag_seconds", Type::gauge, "Lag.");
  m.add("lag_seconds", {{"adapter", "mailbox"}}, 1.25);
  m.add("lag_seconds", {{"adapter", "mailbox"}}, 7);
  m.add("lag_seconds", {{"adapter", "petition"}}, 7);
  EXPECT_EQ(m.text(),
            "# HELP lag_seconds Lag.\n# TYPE lag_seconds gauge\nlag_seconds{adapter=\"mailbox\"} "
            "1.25\nlag_seconds{adapter=\"petition\"} 7\n");
}

TEST(MetricsText, EscapesLabelValuesAndHelp) {
  MetricsText m;
  m.declare("t", Type::gauge, "back\\slash\nnew line");
  m.add("t", {{"route", "a\"b\\c\nd"}}, 1);
  EXPECT_EQ(m.text(),
            "# HELP t back\\\\slash\\nnew line\n# TYPE t gauge\nt{route=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsText, HistogramSeriesCarryTheirSuffix) {
  MetricsText m;
  m.declare("d_seconds", Type::histogram, "D.");
  m.add("d_seconds", {{"le", "0.1"}}, 2, "_bucket");
  m.add("d_seconds", {{"le", "+Inf"}}, 3, "_bucket");
  m.add("d_seconds", {}, 0.25, "_sum");
  m.add("d_seconds", {}, 3, "_count");
  EXPECT_EQ(m.text(),
            "# HELP d_seconds D.\n# TYPE d_seconds histogram\nd_seconds_bucket{le=\"0.1\"} 2\n"
            "d_seconds_bucket{le=\"+Inf\"} 3\nd_seconds_sum 0.25\nd_seconds_count 3\n");
}

TEST(MetricsText, RefusesBadNamesAndUndeclaredFamilies) {
  MetricsText m;
  EXPECT_THROW(m.declare("9lives", Type::gauge, ""), std::invalid_argument);
  EXPECT_THROW(m.declare("has-dash", Type::gauge, ""), std::invalid_argument);
  EXPECT_THROW(m.add("never_declared", {}, 1), std::logic_error);
}

TEST(MetricValue, IntegersPlainOthersShortestAndSpecials) {
  EXPECT_EQ(metric_value(42), "42");
  EXPECT_EQ(metric_value(0.001), "0.001");
  EXPECT_EQ(metric_value(1e21), "1e+21");
  EXPECT_EQ(metric_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(metric_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

}  // namespace
}  // namespace appealhub::core
