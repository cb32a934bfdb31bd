#pragma once
// N ranks as N threads of one test process: a Communicator whose exchanges
// go through shared memory, so that code written for mpirun can be tested
// by unit tests, with no MPI and on every build. Every call is collective,
// as with MPI: a rank waits in it until all ranks have made it.
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "recsys/dist/communicator.hpp"

namespace recsys::test {

class ThreadRanks {
 public:
  explicit ThreadRanks(int n) : n_(n), slots_(std::size_t(n)), mail_(std::size_t(n * n)) {}

  // Runs body(communicator) on every rank's thread and waits for them all.
  // An exception thrown on a rank is rethrown here, the first in rank order.
  void run(const std::function<void(Communicator&)>& body) {
    std::vector<std::exception_ptr> failed(static_cast<std::size_t>(n_));
    std::vector<std::thread> threads;
    for (int r = 0; r < n_; ++r)
      threads.emplace_back([&, r] {
        Rank rank(*this, r);
        try {
          body(rank);
        } catch (...) {
          failed[std::size_t(r)] = std::current_exception();
        }
      });
    for (auto& t : threads) t.join();
    for (const auto& f : failed)
      if (f) std::rethrow_exception(f);
  }

 private:
  class Rank : public Communicator {
   public:
    Rank(ThreadRanks& all, int me) : all_(all), me_(me) {}
    int rank() const override { return me_; }
    int size() const override { return all_.n_; }
    int ranks_on_this_machine() const override { return all_.n_; }
    std::vector<std::string> all_gather(std::string_view mine) override {
      all_.slots_[std::size_t(me_)] = std::string(mine);
      all_.barrier();
      std::vector<std::string> out = all_.slots_;
      all_.barrier();
      return out;
    }
    std::vector<std::string> gather_to_first(std::string_view mine) override {
      auto all = all_gather(mine);
      return me_ == 0 ? all : std::vector<std::string>{};
    }
    std::string broadcast_from_first(std::string_view data) override {
      return all_gather(me_ == 0 ? data : std::string_view())[0];
    }
    void send_receive(std::string_view mine, int to, int from, std::string& into) override {
      all_.mail_[std::size_t(to * all_.n_ + me_)] = std::string(mine);
      all_.barrier();
      into = all_.mail_[std::size_t(me_ * all_.n_ + from)];
      all_.barrier();
    }
    [[noreturn]] void abort_all(int) override { std::abort(); }

   private:
    ThreadRanks& all_;
    int me_;
  };

  void barrier() {
    std::unique_lock lock(mutex_);
    const auto generation = generation_;
    if (++arrived_ == n_) {
      arrived_ = 0;
      ++generation_;
      wake_.notify_all();
    } else {
      wake_.wait(lock, [&] { return generation_ != generation; });
    }
  }

  int n_;
  std::vector<std::string> slots_, mail_;
  std::mutex mutex_;
  std::condition_variable wake_;
  int arrived_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace recsys::test
