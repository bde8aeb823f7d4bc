#pragma once
// A simulated downstream service that leaders write to. With fencing it accepts a write only
// when its fence is at least the newest it has seen; without, it accepts everything and counts
// the writes of an ex-leader (an older fence after a newer one) as corrupted.

#include <cstdint>

namespace baton {

class ProtectedResource {
public:
    enum class Result : std::uint8_t { Accepted, Rejected, Corrupted };

    explicit ProtectedResource(bool fencing = true)
        : m_fencing(fencing) {}

    /// A write carrying `fence` arrives.
    Result write(std::uint64_t fence);

    bool fencing() const { return m_fencing; }
    std::uint64_t newestFence() const { return m_newest; }
    std::uint64_t accepted() const { return m_accepted; }
    std::uint64_t rejected() const { return m_rejected; }
    std::uint64_t corrupted() const { return m_corrupted; }

private:
    bool m_fencing;
    std::uint64_t m_newest = 0;
    std::uint64_t m_accepted = 0;
    std::uint64_t m_rejected = 0;
    std::uint64_t m_corrupted = 0;
};

} // namespace baton
