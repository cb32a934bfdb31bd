#include <cstdlib>
#include <string>

#include "recsys/dist/communicator.hpp"

namespace recsys {

bool launched_as_ranks() {
  // Open MPI's and MPICH's (Hydra, PMI) names for the number of ranks.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* v = std::getenv(name); v && std::atoi(v) > 1) return true;
  return false;
}

}  // namespace recsys
