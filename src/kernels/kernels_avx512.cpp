// The avx512 kernel set: kernel_bodies.inc compiled with -mavx512f -mavx512vl -mavx512dq -mavx512bw
// -mfma, 512-bit vectors preferred (CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <type_traits>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "kernel_sets.hpp"

namespace recsys::kernels {
namespace avx512 {
#define RECSYS_MADD(a, b, c) __builtin_fmaf((a), (b), (c))
#include "kernel_bodies.inc"
#undef RECSYS_MADD
constexpr KernelSet kSet = make_set(Isa::Avx512, "avx512");
}  // namespace avx512

const KernelSet& avx512_kernels() { return avx512::kSet; }

}  // namespace recsys::kernels
