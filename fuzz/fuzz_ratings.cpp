// libFuzzer entry point for the ratings and movies CSV loaders.
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  recsys::fuzz::ratings_one_input(data, size);
  return 0;
}
