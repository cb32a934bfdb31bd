// The labelled SVG scatter plot: well-formed XML (our own checker, and
// xmllint too where installed), every label exactly once with its special
// characters escaped, and label boxes that overlap neither each other nor any
// point, for 30 and for 100 crowded points.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "recsys/util/rng.hpp"
#include "recsys/viz/label_layout.hpp"
#include "recsys/viz/svg_plot.hpp"
#include "support.hpp"
#include "xml_check.hpp"

using recsys::Box;
using recsys::RenderedPlot;
using recsys::ScatterPlot;

namespace {

bool have_program(const char* name) {
  return std::system(("command -v " + std::string(name) + " >/dev/null 2>&1").c_str()) == 0;
}

// Titles in MovieLens's style, some with characters XML must escape.
std::string title(std::size_t k) {
  static const std::vector<std::string> tricky = {
      "Tom & Jerry <The Movie> (1992)",
      "\"Quoted\" Film, The (1998)",
      "Rock 'n' Roll High School (1979)",
      "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
      "A > B & C < D (2020)",
      "Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb (1964)"};
  if (k < tricky.size()) return tricky[k];
  static const char* words[] = {"Lost",  "Harbor", "Night", "Kingdom",
                                "Storm", "Velvet", "Iron",  "Quiet"};
  return std::string(words[k % 8]) + " " + words[(k / 8) % 8] + " Part " + std::to_string(k) +
         " (19" + std::to_string(50 + k % 50) + ")";
}

// n points in a few tight clusters, the hard case for labels.
ScatterPlot clustered_plot(std::size_t n, std::uint64_t seed) {
  recsys::Rng rng(seed);
  ScatterPlot p;
  p.title = "Test plot: " + std::to_string(n) + " points & <friends>";
  p.subtitle = "clusters";
  p.x_label = "PC1 (40.0% of the variance)";
  p.y_label = "PC2 (20.0% of the variance)";
  for (std::size_t k = 0; k < n; ++k) {
    const double cx = static_cast<double>(k % 4) * 3, cy = static_cast<double>(k % 3) * 2;
    p.points.push_back(
        {cx + 0.3 * rng.normal(), cy + 0.3 * rng.normal(), title(k), k % 2 ? "Drama" : "Comedy"});
  }
  return p;
}

void check_plot(const ScatterPlot& plot, const RenderedPlot& r) {
  const std::size_t n = plot.points.size();
  // Well-formed, by our checker.
  const xml_check::Document doc = xml_check::parse(r.svg);
  INFO(doc.error);
  REQUIRE(doc.ok());
  REQUIRE(doc.elements.front().name == "svg");

  // Every label exactly once among the text elements, decoded back to the original.
  std::map<std::string, int> seen;
  for (const auto* e : doc.all("text")) ++seen[e->text];
  for (const auto& p : plot.points) {
    INFO(p.label);
    CHECK(seen[p.label] == 1);
  }
  // And nowhere else: the raw title text does not appear unescaped (for the tricky ones).
  CHECK(r.svg.find("Tom & Jerry") == std::string::npos);
  CHECK(r.svg.find("Tom &amp; Jerry &lt;The Movie&gt;") != std::string::npos);
  CHECK(r.svg.find(recsys::xml_escape(plot.title)) != std::string::npos);
  if (!plot.x_label.empty()) CHECK(seen[plot.x_label] == 1);
  if (!plot.y_label.empty()) CHECK(seen[plot.y_label] == 1);

  // Label boxes: inside the plot, pairwise disjoint, clear of every point.
  REQUIRE(r.layout.labels.size() == n);
  REQUIRE(r.layout.markers.size() == n);
  CHECK(r.layout.unresolved == 0);
  for (std::size_t i = 0; i < n; ++i) {
    const Box& a = r.layout.labels[i];
    INFO("label " << i << ": " << plot.points[i].label);
    CHECK(a.inside(r.plot_area));
    CHECK(a.width == Approx(recsys::label_width(plot.points[i].label, 12) + 2));
    for (std::size_t j = i + 1; j < n; ++j) CHECK_FALSE(a.overlaps(r.layout.labels[j]));
    for (std::size_t k = 0; k < n; ++k) CHECK_FALSE(a.overlaps(r.layout.markers[k]));
  }

  // The boxes are where the SVG draws the text: each label's x and its textLength.
  std::map<std::string, const xml_check::Element*> by_label;
  for (const auto* e : doc.all("text")) by_label[e->text] = e;
  for (std::size_t i = 0; i < n; ++i) {
    const auto* e = by_label[plot.points[i].label];
    REQUIRE(e != nullptr);
    CHECK(std::stod(e->attributes.at("x")) == Approx(r.layout.labels[i].x + 1).margin(0.06));
    CHECK(std::stod(e->attributes.at("textLength")) ==
          Approx(r.layout.labels[i].width - 2).margin(0.06));
  }
  CHECK(doc.all("circle").size() >= n);

  if (have_program("xmllint")) {
    test_support::TempDir dir;
    const std::string path = dir.write("plot.svg", r.svg);
    CHECK(std::system(("xmllint --noout '" + path + "' 2>/dev/null").c_str()) == 0);
  }
}

}  // namespace

TEST_CASE("xml_escape escapes markup and quotes, and drops control characters", "[svg]") {
  CHECK(recsys::xml_escape("Tom & Jerry <1> \"q\" 'a'") ==
        "Tom &amp; Jerry &lt;1&gt; &quot;q&quot; &apos;a&apos;");
  CHECK(recsys::xml_escape(std::string("a\x01"
                                       "b\tc",
                                       5)) == "ab\tc");
  CHECK(recsys::xml_escape("Amélie") == "Amélie");
}

TEST_CASE("label width is 0.6 em per character, counting UTF-8 code points", "[svg]") {
  CHECK(recsys::label_width("abcde", 10) == Approx(30));
  CHECK(recsys::label_width("Amélie", 10) == Approx(36));
  CHECK(recsys::label_width("", 12) == 0);
}

TEST_CASE("our XML checker rejects what is not well-formed", "[svg]") {
  CHECK(xml_check::parse("<a><b/></a>").ok());
  CHECK(xml_check::parse("<?xml version=\"1.0\"?>\n<a x='1' y=\"&amp;\">t &lt; &#233;</a>\n").ok());
  CHECK_FALSE(xml_check::parse("<a><b></a></b>").ok());            // crossed
  CHECK_FALSE(xml_check::parse("<a>Tom & Jerry</a>").ok());        // bare &
  CHECK_FALSE(xml_check::parse("<a>1 < 2</a>").ok());              // bare <
  CHECK_FALSE(xml_check::parse("<a x=1/>").ok());                  // unquoted
  CHECK_FALSE(xml_check::parse("<a x='1' x='2'/>").ok());          // duplicate
  CHECK_FALSE(xml_check::parse("<a>&nbsp;</a>").ok());             // not predefined
  CHECK_FALSE(xml_check::parse("<a/><b/>").ok());                  // two roots
  CHECK_FALSE(xml_check::parse("<a>").ok());                       // unclosed
  CHECK_FALSE(xml_check::parse(std::string("<a>\xC3</a>")).ok());  // broken UTF-8
  const auto doc = xml_check::parse("<a><text x=\"1\">Tom &amp; Jerry</text></a>");
  REQUIRE(doc.all("text").size() == 1);
  CHECK(doc.all("text")[0]->text == "Tom & Jerry");
}

TEST_CASE("30 labelled points: well-formed, each title once, no overlapping labels", "[svg]") {
  const ScatterPlot plot = clustered_plot(30, 1);
  const RenderedPlot r = recsys::render_scatter_svg(plot);
  CHECK(r.width == 960);
  check_plot(plot, r);
  // Two groups: a legend names both.
  CHECK(r.svg.find(">Comedy</text>") != std::string::npos);
  CHECK(r.svg.find(">Drama</text>") != std::string::npos);
}

TEST_CASE("100 crowded points still get disjoint labels on a larger canvas", "[svg]") {
  for (const std::uint64_t seed : {2u, 3u}) {
    const ScatterPlot plot = clustered_plot(100, seed);
    const RenderedPlot r = recsys::render_scatter_svg(plot);
    CHECK(r.width > 960);
    check_plot(plot, r);
  }
}

TEST_CASE("degenerate inputs: every point on one spot, and a single point", "[svg]") {
  ScatterPlot same;
  same.title = "same";
  for (std::size_t k = 0; k < 12; ++k) same.points.push_back({1.0, 1.0, title(k), ""});
  check_plot(same, recsys::render_scatter_svg(same));

  ScatterPlot one;
  one.title = "one";
  one.points.push_back({0.0, 0.0, "Tom & Jerry <The Movie> (1992)", ""});
  const RenderedPlot r = recsys::render_scatter_svg(one);
  check_plot(one, r);
  CHECK(r.svg.find("Comedy") == std::string::npos);  // no groups, no legend
}

TEST_CASE("label layout separates labels stacked on one spot and keeps them in bounds",
          "[svg][layout]") {
  recsys::LabelLayoutInput in;
  in.bounds = {0, 0, 400, 300};
  for (int k = 0; k < 20; ++k) {
    in.anchor_x.push_back(200);
    in.anchor_y.push_back(150);
    in.width.push_back(80);
    in.height.push_back(15);
  }
  const recsys::LabelLayout out = recsys::place_labels(in);
  CHECK(out.unresolved == 0);
  for (std::size_t i = 0; i < out.labels.size(); ++i) {
    CHECK(out.labels[i].inside(in.bounds));
    for (std::size_t j = i + 1; j < out.labels.size(); ++j)
      CHECK_FALSE(out.labels[i].overlaps(out.labels[j]));
  }
  // A label that fits beside its point stays there: right of it, vertically centred.
  recsys::LabelLayoutInput lone;
  lone.bounds = {0, 0, 400, 300};
  lone.anchor_x = {100};
  lone.anchor_y = {100};
  lone.width = {50};
  lone.height = {15};
  const auto placed = recsys::place_labels(lone).labels[0];
  CHECK(placed.x == Approx(100 + lone.marker_radius + lone.gap));
  CHECK(placed.centre_y() == Approx(100));
}

TEST_CASE("the escaped plot title appears in the SVG <title> and heading", "[svg]") {
  ScatterPlot p;
  p.title = "Films <rated> & mapped";
  p.points.push_back({0.0, 0.0, "A (2000)", ""});
  p.points.push_back({1.0, 1.0, "B (2001)", ""});
  const RenderedPlot r = recsys::render_scatter_svg(p);
  const auto doc = xml_check::parse(r.svg);
  REQUIRE(doc.ok());
  REQUIRE(doc.all("title").size() == 1);
  CHECK(doc.all("title")[0]->text == p.title);
}
