#pragma once
// Denormal floats (below 1.2e-38) flushed to zero for the calling thread while
// a FlushDenormals lives (x86's FTZ and DAZ bits; nothing elsewhere). Adam's
// first moments decay by beta1 at every step a row is not in the batch, so
// the moments of rarely rated movies pass through the denormal range, where
// every multiply and divide takes a slow microcode path. A moment that small
// moves no weight by a representable amount, so the trained tables keep
// their bytes (the pinned-model test holds them to the same checksums).
namespace recsys {

class FlushDenormals {
 public:
  FlushDenormals();  // sets the mode; the destructor restores the previous one
  ~FlushDenormals();
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  unsigned saved_;
};

// The same for the rest of the calling thread's life: for worker threads
// that end with the job they were made for.
void flush_denormals_in_this_thread();

}  // namespace recsys
