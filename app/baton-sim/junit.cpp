#include "junit.h"

#include "report_format.h"

#include <baton/base/text.h>

#include <stdexcept>

namespace baton::sim {

std::string xmlEscaped(const std::string& text) {
    // visible() leaves printable UTF-8 only (no byte below 0x20, no invalid sequence), and with
    // no limit never cuts: what is left to do is markup.
    const std::string shown = visible(text, std::string::npos);
    std::string out;
    out.reserve(shown.size());
    for (const char c : shown) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            out.push_back(c);
        }
    }
    return out;
}

JUnitReport::JUnitReport(std::string path, std::string suite)
    : m_path(std::move(path))
    , m_suite(std::move(suite))
    , m_file(m_path, std::ios::out | std::ios::trunc) {
    if (!m_file)
        throw std::runtime_error("--junit: cannot write '" + m_path + "'");
}

void JUnitReport::add(const std::string& name, double wallSeconds, const Report& report) {
    Case c{name, wallSeconds, {}};
    for (const Violation& v : report.violations)
        c.violations.push_back(describeViolation(report, v));
    m_cases.push_back(std::move(c));
}

void JUnitReport::write() {
    std::size_t failures = 0;
    double seconds = 0;
    for (const Case& c : m_cases) {
        failures += c.violations.empty() ? 0 : 1;
        seconds += c.seconds;
    }
    const std::string suite = xmlEscaped(m_suite);
    m_file << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           << "<testsuites name=\"baton-sim\" tests=\"" << m_cases.size() << "\" failures=\""
           << failures << "\" time=\"" << printed("%.3f", seconds) << "\">\n"
           << "  <testsuite name=\"" << suite << "\" tests=\"" << m_cases.size() << "\" failures=\""
           << failures << "\" errors=\"0\" skipped=\"0\" time=\"" << printed("%.3f", seconds)
           << "\">\n";
    for (const Case& c : m_cases) {
        m_file << "    <testcase classname=\"baton-sim." << suite << "\" name=\""
               << xmlEscaped(c.name) << "\" time=\"" << printed("%.3f", c.seconds) << '"';
        if (c.violations.empty()) {
            m_file << "/>\n";
            continue;
        }
        std::string all; // one violation a line (visible() would escape a newline)
        for (const std::string& v : c.violations)
            all += xmlEscaped(v) + '\n';
        m_file << ">\n      <failure type=\"safety violation\" message=\""
               << xmlEscaped(c.violations.front()) << "\">" << all
               << "</failure>\n    </testcase>\n";
    }
    m_file << "  </testsuite>\n</testsuites>\n";
    m_file.flush();
    if (!m_file)
        throw std::runtime_error("--junit: cannot write '" + m_path + "'");
}

} // namespace baton::sim
