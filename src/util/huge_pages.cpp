#include "recsys/util/huge_pages.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace recsys {
namespace {
constexpr std::uintptr_t kHugePage = std::uintptr_t(2) << 20;
constexpr std::size_t kWorthIt = std::size_t(4) << 20;
}  // namespace

void advise_huge_pages(const void* data, std::size_t bytes) {
#ifdef MADV_HUGEPAGE
  if (!data || bytes < kWorthIt) return;
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);
  const std::uintptr_t last = (begin + bytes) & ~(kHugePage - 1);
  // A failure (huge pages compiled out, or an old kernel) leaves 4 KiB pages.
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace recsys
