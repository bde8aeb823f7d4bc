#pragma once
// The callbacks subscribed to a store's channels, for the stores themselves: thread-safe, a
// callback runs outside every lock of the list, and once cancelled it never runs again.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace baton {

template <class Message>
class SubscriberList {
public:
    using Callback = std::function<void(const Message&)>;
    // One per subscription. Its mutex is held while its callback runs, so cancelling waits for
    // a running callback and no callback starts after cancel() returns.
    struct Entry {
        std::mutex mutex;
        bool active = true;
        Callback fn;
    };
    using EntryPtr = std::shared_ptr<Entry>;

    /// Subscribes `fn` to `channel`; the entry is what cancel() takes.
    EntryPtr add(const std::string& channel, Callback fn) {
        auto entry = std::make_shared<Entry>();
        entry->fn = std::move(fn);
        std::lock_guard guard(m_mutex);
        m_entries.emplace(channel, entry);
        return entry;
    }

    /// Waits for a call of `entry` that is running, then drops it. Never from its own callback.
    void cancel(const std::string& channel, const EntryPtr& entry) {
        {
            std::lock_guard guard(entry->mutex);
            entry->active = false;
        }
        std::lock_guard guard(m_mutex);
        auto [first, last] = m_entries.equal_range(channel);
        for (auto it = first; it != last; ++it) {
            if (it->second == entry) {
                m_entries.erase(it);
                break;
            }
        }
    }

    /// Calls every callback of `channel` that is not cancelled, on the caller's thread.
    void deliver(const std::string& channel, const Message& message) const {
        std::vector<EntryPtr> targets;
        {
            std::lock_guard guard(m_mutex);
            auto [first, last] = m_entries.equal_range(channel);
            for (auto it = first; it != last; ++it)
                targets.push_back(it->second);
        }
        for (const auto& entry : targets) {
            std::lock_guard guard(entry->mutex);
            if (entry->active)
                entry->fn(message);
        }
    }

    /// The channels with at least one subscriber.
    std::set<std::string> channels() const {
        std::lock_guard guard(m_mutex);
        std::set<std::string> all;
        for (const auto& [channel, entry] : m_entries)
            all.insert(channel);
        return all;
    }

private:
    mutable std::mutex m_mutex;
    std::multimap<std::string, EntryPtr> m_entries;
};

} // namespace baton
