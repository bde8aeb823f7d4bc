#include "baton/wire/lock_value.h"

#include "json_fields.h"

namespace baton::wire {

using namespace detail;

std::string encode(const LockValue& value) {
    return dump(OrderedJson{{"id", value.id}, {"fence", value.fence}, {"token", value.token}});
}

std::string encode(const ReleaseNotice& notice) {
    return dump(OrderedJson{{"event", "released"}, {"fence", notice.fence}, {"id", notice.id}});
}

Decoded<LockValue> decodeLockValue(std::string_view text) {
    return decodeWith<LockValue>("not a lock value", [&] {
        const Json o = parseObject(text);
        LockValue v;
        v.id = requiredString(o, "id");
        if (!has(o, "fence"))
            throw FieldError("\"fence\" is missing");
        v.fence = whole(o, "fence");
        v.token = requiredString(o, "token");
        return v;
    });
}

Decoded<ReleaseNotice> decodeReleaseNotice(std::string_view text) {
    return decodeWith<ReleaseNotice>("not a release notice", [&] {
        const Json o = parseObject(text);
        if (string(o, "event") != "released")
            throw FieldError("\"event\" is not \"released\"");
        ReleaseNotice n;
        n.id = requiredString(o, "id");
        if (!has(o, "fence"))
            throw FieldError("\"fence\" is missing");
        n.fence = whole(o, "fence");
        return n;
    });
}

} // namespace baton::wire
