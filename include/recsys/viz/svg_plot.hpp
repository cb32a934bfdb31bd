#pragma once
// A standalone SVG scatter plot with every point labelled: the map that
// `recsys project --svg` writes. No dependency: the SVG is written as text,
// and the label boxes it computed are returned so tests can check them.
#include <string>
#include <string_view>
#include <vector>

#include "recsys/viz/label_layout.hpp"

namespace recsys {

struct ScatterPoint {
  double x = 0, y = 0;
  std::string label;
  // Points of one group share a colour, named in a legend under the title;
  // all "" means one colour and no legend. The nine largest groups get their
  // own colours, any others share a grey "other".
  std::string group;
};

struct ScatterPlot {
  std::string title;     // first line at the top
  std::string subtitle;  // second, smaller line ("" for none)
  std::string x_label, y_label;
  std::vector<ScatterPoint> points;
};

struct RenderedPlot {
  std::string svg;
  double width = 0, height = 0;  // canvas, pixels
  Box plot_area;                 // the framed data area
  LabelLayout layout;            // label and marker boxes, in input order
  int grown = 0;                 // times the canvas grew a quarter past the size the count asks for
};

// Canvas grows with the number of points so 100 labels still have room at
// the same font size, and further (up to 4 times, a quarter a side each)
// while some label finds no place keeping every rule.
RenderedPlot render_scatter_svg(const ScatterPlot& plot);

// Text for SVG/XML content and attribute values: & < > " ' escaped, and
// control characters XML 1.0 does not allow dropped.
std::string xml_escape(std::string_view text);

// Width of a label: labels are set in a monospace font, 0.6 em per
// character (code point), and the text is told to fill exactly that width.
double label_width(std::string_view text, double font_size);

}  // namespace recsys
