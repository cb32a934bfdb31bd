#pragma once
// The hot loops over a model row (forward, backward, sparse Adam) are
// compiled once per common row length, so they are fully unrolled; any other
// length runs the same code with the length known only at run time.
#include <type_traits>

namespace recsys {

// Calls f(std::integral_constant<int, N>{}) with N = dim for 16, 32 and 64,
// and N = 0 (meaning "use the run-time dim") for every other size.
template <typename F>
decltype(auto) with_row_length(int dim, F&& f) {
  switch (dim) {
    case 16:
      return f(std::integral_constant<int, 16>{});
    case 32:
      return f(std::integral_constant<int, 32>{});
    case 64:
      return f(std::integral_constant<int, 64>{});
    default:
      return f(std::integral_constant<int, 0>{});
  }
}

}  // namespace recsys
