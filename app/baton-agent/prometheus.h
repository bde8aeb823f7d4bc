#pragma once
// Prometheus text exposition for the agent: label escaping, family headers and a thread-safe
// latency histogram. The core knows nothing of it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace agent::prom {

/// A label value in double quotes, with backslash, double quote and newline escaped.
std::string labelValue(const std::string& text);

/// Writes the `# HELP` and `# TYPE` lines of a family.
void family(std::ostringstream& out, const char* name, const char* type, const char* help);

/// A histogram of durations in seconds with fixed upper bounds; safe from any thread.
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds)
        : m_bounds(std::move(bounds))
        , m_buckets(m_bounds.size()) {}
    /// 0.5 ms to 5 s: a store call.
    static std::vector<double> storeCallBounds();
    /// 5 ms to 1 min: a failover, which lasts up to a TTL or two.
    static std::vector<double> failoverBounds();

    void observe(std::chrono::nanoseconds elapsed);
    /// The `_bucket`, `_sum` and `_count` samples of `name`, with `labels` (no braces) first.
    void write(std::ostringstream& out, const std::string& name, const std::string& labels) const;

private:
    mutable std::mutex m_mutex;
    const std::vector<double> m_bounds;
    std::vector<std::uint64_t> m_buckets; // not cumulative here
    std::uint64_t m_count = 0;
    double m_sum = 0;
};

} // namespace agent::prom
