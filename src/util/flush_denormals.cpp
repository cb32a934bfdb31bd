#include "recsys/util/flush_denormals.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace recsys {
namespace {
#if defined(__x86_64__)
constexpr unsigned kFlushToZero = 0x8000;     // MXCSR.FTZ: denormal results become 0
constexpr unsigned kDenormalsAreZero = 0x40;  // MXCSR.DAZ: denormal inputs read as 0
#endif
}  // namespace

FlushDenormals::FlushDenormals() : saved_(0) {
#if defined(__x86_64__)
  saved_ = _mm_getcsr();
  _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero);
#endif
}

void flush_denormals_in_this_thread() {
#if defined(__x86_64__)
  _mm_setcsr(_mm_getcsr() | kFlushToZero | kDenormalsAreZero);
#endif
}

FlushDenormals::~FlushDenormals() {
#if defined(__x86_64__)
  _mm_setcsr(saved_);
#endif
}

}  // namespace recsys
