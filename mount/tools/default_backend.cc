#include "mount/tools/default_backend.h"

namespace elk::tools {

BackendFactory DefaultBackendFactory() {
  // No transport yet: every mount answers plainly instead of pretending.
  return [](const MasterInfo&) -> Result<std::unique_ptr<ToolBackend>> {
    return Status(Code::kNotSupported, "master connection not implemented yet");
  };
}

}  // namespace elk::tools
