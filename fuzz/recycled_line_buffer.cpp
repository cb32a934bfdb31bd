// fast-cpp-csv-parser allocates a 48 MiB line buffer (new char[3 << 24]) for
// every file it opens. Under AddressSanitizer each such allocation and free
// costs about 8 ms of shadow-memory poisoning, which held the CSV fuzzer to
// some 40 executions a second. The fuzz binaries therefore recycle that one
// buffer: it is still malloc'd, so a read or write past its end is caught by
// its redzone, though a use after its reader is gone would not be. Every
// other array new goes to malloc as usual, under the sanitizers' watch.
//
// A recycled buffer holds the previous file's bytes, which is how the fuzzer
// found that the parser reads the byte after the data (see open_csv in
// src/data/csv_reader.hpp). To make that class of bug show up on every input, not
// only after an unlucky predecessor, the start of the buffer is filled with
// line ends each time it is handed out. The regression test that replays the
// corpus (tests/test_hardening_fuzz_corpus.cpp) links this file too.
#include <cstdlib>
#include <cstring>
#include <new>

namespace {
constexpr std::size_t kLineBufferBytes = std::size_t{3} << 24;
constexpr std::size_t kStaleBytes = std::size_t{1} << 20;
void* g_line_buffer = nullptr;
bool g_line_buffer_in_use = false;
}  // namespace

void* operator new[](std::size_t n) {
  if (n == kLineBufferBytes && !g_line_buffer_in_use) {
    if (!g_line_buffer) g_line_buffer = std::malloc(n);
    if (g_line_buffer) {
      g_line_buffer_in_use = true;
      std::memset(g_line_buffer, '\n', kStaleBytes);
      return g_line_buffer;
    }
  }
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}

void operator delete[](void* p) noexcept {
  if (p && p == g_line_buffer) {
    g_line_buffer_in_use = false;
    return;
  }
  std::free(p);
}

void operator delete[](void* p, std::size_t) noexcept { operator delete[](p); }
