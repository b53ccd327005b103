// nanotdb: the daemon. See docs/operations.md.
#include <Poco/Util/ServerApplication.h>

#include "server/app.h"
#include "server/signals.h"

int main(int argc, char** argv) {
  // Before any thread exists, so that every thread inherits the mask and only the daemon's
  // sigwait receives SIGTERM, SIGINT and SIGHUP.
  nanotdb::server::BlockSignals();
  nanotdb::server::NanotdbApp app;
  return app.run(argc, argv);
}
