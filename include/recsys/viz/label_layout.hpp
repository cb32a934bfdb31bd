#pragma once
// Placing text labels next to the points of a scatter plot so that a reader
// can tell which point each label names: no two labels overlap, no label
// covers a point, and a label either touches its own point (nearer to it than
// to any other) or is joined to it by a leader line that crosses no label and
// no other leader. Four steps, each cheap: every label picks the least
// crowded of eight places touching its point (a few sweeps of local search);
// an iterative repulsion pushes apart whatever still overlaps; a greedy pass
// moves any label still in conflict to the nearest spot where it breaks none
// of the rules; a last pass pulls far labels back towards their points.
#include <cstddef>
#include <optional>
#include <vector>

#include "recsys/viz/box.hpp"
#include "recsys/viz/segment.hpp"

namespace recsys {

struct LabelLayoutInput {
  std::vector<double> anchor_x, anchor_y;  // the points, in pixels
  std::vector<double> width, height;       // each label's box size
  double marker_radius = 3.5;              // points are squares of side 2r to keep clear
  double gap = 3;                          // preferred distance from point to label
  Box bounds;                              // labels stay inside it

  // A label whose box comes this near its point touches it and needs no
  // leader, unless another point is as near to the box.
  double touch_distance() const { return marker_radius + gap + 2; }
};

struct LabelLayout {
  std::vector<Box> labels;   // one per point, in input order
  std::vector<Box> markers;  // the area each point occupies
  // From the point's centre to the nearest point of its label, for labels
  // that do not touch their point; none otherwise.
  std::vector<std::optional<Segment>> leaders;
  // Labels that found no place keeping every rule: left where repulsion put
  // them, or placed clear of labels and points but with a leader that may cross.
  std::size_t unresolved = 0;
};

LabelLayout place_labels(const LabelLayoutInput& in);

}  // namespace recsys
