#pragma once
// `recsys project --svg/--png`: the scatter plot of a projection, kept out of
// project.cpp, which chooses the films and projects them.
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "recsys/io/trained_model.hpp"

namespace recsys::cli {

struct Projection {
  Eigen::MatrixXd points;  // n x 2
  std::string x_label, y_label, method_text;
};

struct PlotFiles {
  std::string svg, png;           // either may be empty: not written
  std::string color_by = "none";  // none | genre
};

// what: which films these are, for the title ("Top 30 films by mean rating").
void write_plot(const TrainedModel& m, const std::vector<std::uint32_t>& chosen,
                const Projection& p, const std::string& what, const PlotFiles& files);

}  // namespace recsys::cli
