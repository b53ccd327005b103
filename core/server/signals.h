// Process signals of the daemon. BlockSignals() must run first in main(), before any thread
// exists, so every thread inherits the mask and only WaitForShutdownSignal() receives them.
#pragma once

#include <functional>

namespace nanotdb::server {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread.
void BlockSignals();
// Waits (sigwait) for the blocked signals: SIGHUP runs `on_hangup` and waits again; SIGTERM or
// SIGINT returns the signal number.
int WaitForShutdownSignal(const std::function<void()>& on_hangup);

}  // namespace nanotdb::server
