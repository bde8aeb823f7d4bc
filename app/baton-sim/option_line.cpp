#include "option_line.h"

#include "cli.h"

#include <baton/base/text.h>

#include <charconv>
#include <cmath>
#include <iostream>

namespace baton::sim {

void usage(const std::string& message) {
    throw UsageError(message);
}

Duration durationOption(const std::string& name, const std::string& text) {
    try {
        const Duration d = parseDuration(text);
        if (d.count() < 0)
            usage("--" + name + " must not be negative");
        return d;
    } catch (const std::invalid_argument& e) {
        usage("--" + name + ": " + e.what());
    }
}

double numberOption(const std::string& name, const std::string& text) {
    double v = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
        !std::isfinite(v))
        usage("--" + name + " expects a number, got '" + visible(text) + "'");
    return v;
}

std::uint64_t wholeOption(const std::string& name, const std::string& text, std::uint64_t min) {
    std::uint64_t v = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || v < min)
        usage("--" + name + " expects a whole number >= " + std::to_string(min) + ", got '" +
              visible(text) + "'");
    return v;
}

double rateOption(const std::string& name, const std::string& text) {
    const std::size_t slash = text.find('/');
    const double count = numberOption(name, text.substr(0, slash));
    if (slash == std::string::npos)
        return count;
    const std::string unit = text.substr(slash + 1);
    static const std::map<std::string, double> perHour{
        {"s", 3600}, {"min", 60}, {"m", 60}, {"h", 1}, {"d", 1.0 / 24}};
    const auto it = perHour.find(unit);
    if (it == perHour.end())
        usage("--" + name + ": unknown unit '" + visible(unit) + "' in '" + visible(text) +
              "' (use /s, /min, /h or /d)");
    return count * it->second;
}

OptionLine::OptionLine(const std::string& description, const std::string& name)
    : m_app(description, name) {
    m_app.set_help_flag("-h,--help", "Shows this help.");
}

void OptionLine::parse(int argc, const char* const* argv) {
    try {
        m_app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << m_app.help() << std::flush;
        std::exit(Safe);
    } catch (const CLI::ParseError& e) {
        usage(visible(e.what()));
    }
}

void OptionLine::option(const std::string& name, const std::string& help, const std::string& type) {
    m_options[name] = m_app.add_option("--" + name, m_values[name], help)->type_name(type);
}

void OptionLine::flag(const std::string& name, const std::string& help) {
    m_options[name] = m_app.add_flag("--" + name, m_flags[name], help);
}

} // namespace baton::sim
