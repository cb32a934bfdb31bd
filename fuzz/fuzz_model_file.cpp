// libFuzzer entry point for the model file reader.
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  recsys::fuzz::model_file_one_input(data, size);
  return 0;
}
