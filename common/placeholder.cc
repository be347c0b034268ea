// Placeholder so each common library exists before its sources do.
namespace elk { [[maybe_unused]] static int placeholder; }
