#pragma once
// The command lines of baton-sim and `baton-sim tune`: every value option kept as text by CLI11
// and converted after parsing, so that each message names its option and what it expects.

#include <baton/base/clock.h>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace baton::sim {

/// Bad usage: the message names the option; the caller adds the way out (--help).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

[[noreturn]] void usage(const std::string& message);

/// A duration (parseDuration), not negative; a number, finite; a whole number, at least `min`;
/// a rate: "2/h", "6/d", "1/min", "3/s" or a bare number, in faults per hour. Each throws
/// UsageError naming --`name`.
Duration durationOption(const std::string& name, const std::string& text);
double numberOption(const std::string& name, const std::string& text);
std::uint64_t wholeOption(const std::string& name, const std::string& text, std::uint64_t min);
double rateOption(const std::string& name, const std::string& text);

class OptionLine {
public:
    OptionLine(const std::string& description, const std::string& name);

    /// Parses argv; --help prints and exits 0. Throws UsageError.
    void parse(int argc, const char* const* argv);

    void option(const std::string& name, const std::string& help, const std::string& type);
    void flag(const std::string& name, const std::string& help);

    bool isSet(const std::string& name) const { return m_options.at(name)->count() > 0; }
    const std::string& value(const std::string& name) const { return m_values.at(name); }

    Duration duration(const std::string& name) const { return durationOption(name, value(name)); }
    double number(const std::string& name) const { return numberOption(name, value(name)); }
    std::uint64_t count(const std::string& name, std::uint64_t min) const {
        return wholeOption(name, value(name), min);
    }

protected:
    CLI::App m_app;

private:
    std::map<std::string, std::string> m_values;
    std::map<std::string, bool> m_flags;
    std::map<std::string, CLI::Option*> m_options;
};

} // namespace baton::sim
