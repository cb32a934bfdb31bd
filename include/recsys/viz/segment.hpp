#pragma once
// Line segments against each other and against boxes: what the label layout
// needs to keep leader lines from crossing labels and other leaders.
#include "recsys/viz/box.hpp"

namespace recsys {

struct Segment {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
};

// Distance from a point to the nearest point of a box (0 inside it).
double distance_to_box(double x, double y, const Box& b);

// Whether the segments share a point, touching and collinear overlap included.
bool segments_meet(const Segment& a, const Segment& b);

// Shortest distance between two segments (0 when they meet).
double segment_distance(const Segment& a, const Segment& b);

// Whether the segment has a point inside the box or on its edge.
bool segment_meets_box(const Segment& s, const Box& b);

}  // namespace recsys
