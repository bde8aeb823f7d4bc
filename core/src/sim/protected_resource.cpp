#include "baton/sim/protected_resource.h"

namespace baton {

ProtectedResource::Result ProtectedResource::write(std::uint64_t fence) {
    if (fence >= m_newest) {
        m_newest = fence;
        ++m_accepted;
        return Result::Accepted;
    }
    if (m_fencing) {
        ++m_rejected;
        return Result::Rejected;
    }
    // Without fencing the stale write lands on top of a newer term's work.
    ++m_accepted;
    ++m_corrupted;
    return Result::Corrupted;
}

} // namespace baton
