// The baseline kernel set: kernel_bodies.inc compiled with the build's own flags (baseline
// x86-64 unless RECSYS_NATIVE), the set that runs on any CPU.
#include <cstddef>
#include <cstdint>
#include <type_traits>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "kernel_sets.hpp"

namespace recsys::kernels {
namespace baseline {
#define RECSYS_MADD(a, b, c) ((a) * (b) + (c))
#include "kernel_bodies.inc"
#undef RECSYS_MADD
constexpr KernelSet kSet = make_set(Isa::Baseline, "baseline");
}  // namespace baseline

const KernelSet& baseline_kernels() { return baseline::kSet; }

}  // namespace recsys::kernels
