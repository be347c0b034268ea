// mfsiscsid: ElkFS volumes as iSCSI disks. See docs/volumes.md.
#include <memory>
#include <stop_token>

#include "cinderdriver/iscsid/config.h"
#include "cinderdriver/iscsid/iscsid.h"
#include "common/daemon/run_daemon.h"
#include "common/heap.h"
#include "common/log/log.h"

int main(int argc, char** argv) {
  elk::KeepFreedDataBuffers();
  using elk::iscsid::Iscsid;
  std::unique_ptr<Iscsid> target;
  elk::daemon::DaemonSpec spec;
  spec.program = "mfsiscsid";
  spec.default_config = "/etc/mfs/mfsiscsid.cfg";
  spec.schema = elk::iscsid::IscsidKeys();
  spec.init = [&](const elk::daemon::DaemonContext& ctx) -> elk::Status {
    auto config = elk::iscsid::IscsidConfigFrom(ctx.config);
    if (!config.ok()) return config.status();
    auto created = Iscsid::Create(*config);
    if (!created.ok()) return created.status();
    target = std::move(*created);
    return elk::Status::Ok();
  };
  spec.serve = [&](std::stop_token stop) {
    std::stop_callback wake(stop, [&] { target->Stop(); });
    elk::Status s = target->Run();
    if (!s.ok()) elk::log::Error("mfsiscsid: {}", s.ToString());
    target.reset();
    return s.ok() ? 0 : 1;
  };
  return elk::daemon::RunDaemon(argc, argv, spec);
}
