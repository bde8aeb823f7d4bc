#pragma once
// The Redis backend's electors, by id and by identity. An id is the elector's index: electors
// are never erased, so ids stay stable for the run (a snapshot's order).

#include "backend/redis_elector.h"

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <vector>

namespace baton::lab {

class RedisRoster {
public:
    using Electors = std::vector<std::unique_ptr<RedisElector>>;

    /// The id the next elector added gets.
    int nextId() const { return int(m_electors.size()); }
    /// Adds `e`, whose id must be nextId().
    void add(std::unique_ptr<RedisElector> e) {
        m_byIdentity.emplace(e->identityStd(), e->id());
        m_electors.push_back(std::move(e));
    }
    RedisElector* find(int id) const {
        if (id < 0 || std::size_t(id) >= m_electors.size())
            return nullptr;
        return m_electors[std::size_t(id)].get();
    }
    /// Looked up per snapshot and per member on every look: an index, not a scan.
    RedisElector* findByIdentity(const std::string& identity) const {
        const auto it = m_byIdentity.find(identity);
        return it == m_byIdentity.end() ? nullptr : m_electors[std::size_t(it->second)].get();
    }
    long count(ElectorKind kind) const {
        return long(std::count_if(m_electors.begin(), m_electors.end(),
                                  [kind](const auto& e) { return e->kind() == kind; }));
    }
    std::size_t size() const { return m_electors.size(); }
    Electors::const_iterator begin() const { return m_electors.begin(); }
    Electors::const_iterator end() const { return m_electors.end(); }

private:
    Electors m_electors;
    std::unordered_map<std::string, int> m_byIdentity;
};

} // namespace baton::lab
