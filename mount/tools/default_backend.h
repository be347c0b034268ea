#pragma once
// The backend factory the installed mfstools uses. The master transport replaces the body
// of DefaultBackendFactory() (default_backend.cc); nothing else in the tools changes.

#include "mount/tools/backend.h"

namespace elk::tools {

BackendFactory DefaultBackendFactory();

}  // namespace elk::tools
