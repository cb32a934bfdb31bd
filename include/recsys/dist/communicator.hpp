#pragma once
// The processes of one `mpirun -np N recsys train` run, and the few
// collective operations recsys needs between them. MPI does the transport
// (src/dist/mpi_communicator.cpp, built when CMake finds MPI); nothing here
// opens a socket of its own. Every call is collective: each rank makes the
// same calls in the same order.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace recsys {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // How many of the ranks run on this machine (this one included): they
  // share its cores.
  virtual int ranks_on_this_machine() const = 0;
  // Every rank's bytes, in rank order, on every rank.
  virtual std::vector<std::string> all_gather(std::string_view mine) = 0;
  // Every rank's bytes, in rank order, on rank 0; empty elsewhere.
  virtual std::vector<std::string> gather_to_first(std::string_view mine) = 0;
  // Rank 0's bytes on every rank (`data` is ignored elsewhere).
  virtual std::string broadcast_from_first(std::string_view data) = 0;
  // Sends mine to rank `to` and puts what rank `from` sent to this rank in
  // `into` (its capacity reused): one step of a ring when every rank passes
  // to its neighbour.
  virtual void send_receive(std::string_view mine, int to, int from, std::string& into) = 0;
  // Ends every rank at once with this exit code: for failures that leave the
  // ranks out of step, where waiting for the others would wait forever.
  [[noreturn]] virtual void abort_all(int code) = 0;

  // True while the ranks run a sequence of exchanges that no rank can leave
  // alone (training): a failure on one rank then has to end them all.
  bool lockstep = false;
};

// Whether this process was started by mpirun (or another MPI launcher) as
// one of several ranks, from the launcher's environment.
bool launched_as_ranks();

// Joins the run this process was started in: MPI is initialised here and
// finalised when the result is destroyed. Throws Error when recsys was built
// without MPI, as N separate copies would each train and write the same file.
std::unique_ptr<Communicator> join_ranks();

// Whether this build can train across processes.
bool built_with_mpi();

}  // namespace recsys
