#pragma once
// Placing text labels next to the points of a scatter plot so that no two
// labels overlap and no label covers a point. Three steps, each cheap:
// every label picks the least crowded of eight places touching its point
// (a few sweeps of local search); a simple iterative repulsion pushes apart
// whatever still overlaps; a greedy pass then moves any label still in
// conflict to the nearest free spot, which makes the result overlap-free by
// construction whenever such a spot exists.
#include <cstddef>
#include <vector>

namespace recsys {

// An axis-aligned rectangle in SVG pixels (y grows downwards).
struct Box {
  double x = 0, y = 0, width = 0, height = 0;

  double right() const { return x + width; }
  double bottom() const { return y + height; }
  double centre_x() const { return x + width / 2; }
  double centre_y() const { return y + height / 2; }
  // Strict overlap: boxes that only touch along an edge do not overlap.
  bool overlaps(const Box& o) const {
    return x < o.right() && o.x < right() && y < o.bottom() && o.y < bottom();
  }
  bool inside(const Box& o) const {
    return x >= o.x && y >= o.y && right() <= o.right() && bottom() <= o.bottom();
  }
};

struct LabelLayoutInput {
  std::vector<double> anchor_x, anchor_y;  // the points, in pixels
  std::vector<double> width, height;       // each label's box size
  double marker_radius = 3.5;              // points are squares of side 2r to keep clear
  double gap = 3;                          // preferred distance from point to label
  Box bounds;                              // labels stay inside it
};

struct LabelLayout {
  std::vector<Box> labels;     // one per point, in input order
  std::vector<Box> markers;    // the area each point occupies
  std::size_t unresolved = 0;  // labels that found no free place (left where repulsion put them)
};

LabelLayout place_labels(const LabelLayoutInput& in);

}  // namespace recsys
