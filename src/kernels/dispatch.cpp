// Which kernel set runs: the widest the CPU supports, unless RECSYS_KERNELS
// names one. Chosen once; tests switch sets with use().
#include <atomic>
#include <cstdlib>
#include <string>

#include "kernel_sets.hpp"
#include "recsys/util/error.hpp"

namespace recsys::kernels {
namespace {

constexpr Isa kWidestFirst[] = {Isa::Avx512, Isa::Avx2, Isa::Baseline};

const char* name_of(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return "avx512";
    case Isa::Avx2:
      return "avx2";
    case Isa::Baseline:
      break;
  }
  return "baseline";
}

const KernelSet* compiled_set(Isa isa) {
#ifdef RECSYS_X86_KERNELS
  if (isa == Isa::Avx512) return &avx512_kernels();
  if (isa == Isa::Avx2) return &avx2_kernels();
#endif
  return isa == Isa::Baseline ? &baseline_kernels() : nullptr;
}

bool cpu_runs(Isa isa) {
#ifdef RECSYS_X86_KERNELS
  switch (isa) {
    case Isa::Avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("fma");
    case Isa::Avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::Baseline:
      break;
  }
#endif
  return isa == Isa::Baseline;
}

const KernelSet& choose() {
  const char* forced = std::getenv("RECSYS_KERNELS");
  if (forced && *forced) {
    for (const Isa isa : kWidestFirst) {
      if (std::string(forced) != name_of(isa)) continue;
      if (const KernelSet* set = find(isa)) return *set;
      throw Error(std::string("RECSYS_KERNELS=") + forced +
                  ": this CPU (or this build) cannot run " + "the " + forced +
                  " kernels; unset it, or name baseline");
    }
    throw Error(std::string("RECSYS_KERNELS=") + forced +
                ": unknown kernel set; expected baseline, avx2 or avx512 (or unset it)");
  }
  for (const Isa isa : kWidestFirst)
    if (const KernelSet* set = find(isa)) return *set;
  return baseline_kernels();
}

std::atomic<const KernelSet*> current{nullptr};

}  // namespace

const KernelSet* find(Isa isa) { return cpu_runs(isa) ? compiled_set(isa) : nullptr; }

std::vector<const KernelSet*> available() {
  std::vector<const KernelSet*> out;
  for (auto it = std::rbegin(kWidestFirst); it != std::rend(kWidestFirst); ++it)
    if (const KernelSet* set = find(*it)) out.push_back(set);
  return out;
}

const KernelSet& active() {
  const KernelSet* set = current.load(std::memory_order_acquire);
  if (set) return *set;
  // Only the first choice is stored: a use() that came in between stays.
  const KernelSet* chosen = &choose();
  if (current.compare_exchange_strong(set, chosen, std::memory_order_acq_rel)) return *chosen;
  return *set;
}

const KernelSet& use(const KernelSet& set) {
  active();  // the default is chosen (and RECSYS_KERNELS checked) first
  return *current.exchange(&set, std::memory_order_acq_rel);
}

std::string describe(const KernelSet& set) {
  switch (set.isa) {
    case Isa::Avx512:
      return "avx512: AVX-512 with FMA, 16 floats a vector";
    case Isa::Avx2:
      return "avx2: AVX2 with FMA, 8 floats a vector";
    case Isa::Baseline:
      break;
  }
  return "baseline: the build's own target (x86-64 SSE2 by default), no fused multiply-add";
}

}  // namespace recsys::kernels
