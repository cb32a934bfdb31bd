#pragma once
// The kernel sets this build compiled, one per file (kernels_baseline.cpp,
// kernels_avx2.cpp, kernels_avx512.cpp); dispatch.cpp picks one of them.
#include "recsys/kernels/kernels.hpp"

namespace recsys::kernels {

const KernelSet& baseline_kernels();
#ifdef RECSYS_X86_KERNELS
const KernelSet& avx2_kernels();
const KernelSet& avx512_kernels();
#endif

}  // namespace recsys::kernels
