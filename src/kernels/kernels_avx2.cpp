// The avx2 kernel set: kernel_bodies.inc compiled with -mavx2 -mfma (CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <type_traits>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "kernel_sets.hpp"

namespace recsys::kernels {
namespace avx2 {
#define RECSYS_MADD(a, b, c) __builtin_fmaf((a), (b), (c))
#include "kernel_bodies.inc"
#undef RECSYS_MADD
constexpr KernelSet kSet = make_set(Isa::Avx2, "avx2");
}  // namespace avx2

const KernelSet& avx2_kernels() { return avx2::kSet; }

}  // namespace recsys::kernels
