#pragma once
// The lab ends gracefully on the signals that ask a process to end (SIGTERM, SIGINT, SIGHUP):
// its window closes as if the user had closed it, so its agents stop (revoke, release) instead
// of being killed with the lab and leaving their locks and presence entries behind.

class QApplication;

namespace baton::lab {

/// From now on those signals close every window and quit `app`'s event loop. Call once, from
/// main(), before exec().
void quitOnEndingSignals(QApplication& app);

} // namespace baton::lab
