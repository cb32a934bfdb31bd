// The build without MPI: no rank can join, and saying so beats N processes
// each training the whole file and writing the same model file.
#include "recsys/dist/communicator.hpp"
#include "recsys/util/error.hpp"

namespace recsys {

bool built_with_mpi() { return false; }

std::unique_ptr<Communicator> join_ranks() {
  throw Error(
      "started as one of several MPI ranks, but this recsys was built without MPI (install "
      "libopenmpi-dev and build again; docs/distributed.md)");
}

}  // namespace recsys
