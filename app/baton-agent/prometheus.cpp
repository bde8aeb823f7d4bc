#include "prometheus.h"

#include <algorithm>

namespace agent::prom {

std::string labelValue(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '\\' || c == '"')
            out.push_back('\\');
        if (c == '\n')
            out += "\\n";
        else
            out.push_back(c);
    }
    return out + "\"";
}

void family(std::ostringstream& out, const char* name, const char* type, const char* help) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

std::vector<double> Histogram::storeCallBounds() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
}

std::vector<double> Histogram::failoverBounds() {
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

void Histogram::observe(std::chrono::nanoseconds elapsed) {
    const double seconds = std::chrono::duration<double>(elapsed).count();
    const auto bucket =
        std::lower_bound(m_bounds.begin(), m_bounds.end(), seconds); // the first le >= value
    std::lock_guard lock(m_mutex);
    if (bucket != m_bounds.end())
        ++m_buckets[static_cast<std::size_t>(bucket - m_bounds.begin())];
    ++m_count;
    m_sum += seconds;
}

void Histogram::write(std::ostringstream& out, const std::string& name,
                      const std::string& labels) const {
    std::lock_guard lock(m_mutex);
    const std::string prefix = labels.empty() ? "" : labels + ",";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < m_bounds.size(); ++i) {
        cumulative += m_buckets[i];
        out << name << "_bucket{" << prefix << "le=\"" << m_bounds[i] << "\"} " << cumulative
            << '\n';
    }
    out << name << "_bucket{" << prefix << "le=\"+Inf\"} " << m_count << '\n';
    out << name << "_sum{" << labels << "} " << m_sum << '\n';
    out << name << "_count{" << labels << "} " << m_count << '\n';
}

} // namespace agent::prom
