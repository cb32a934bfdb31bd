#pragma once
// A small synthetic ratings file with planted tastes (recsys synth), in a
// temporary directory, for the tests that train on it.
#include <string>

#include "recsys/data/dataset.hpp"
#include "recsys/synth/synth.hpp"
#include "support.hpp"

namespace test_support {

struct PlantedFile {
  TempDir dir;
  std::string ratings;
  PlantedFile(std::int64_t users, std::int64_t movies, std::int64_t rows, int dim, double noise,
              std::uint64_t seed, double favourite_share = 0.3) {
    recsys::SynthOptions o;
    o.users = users;
    o.movies = movies;
    o.ratings = rows;
    o.dim = dim;
    o.noise = noise;
    o.genres = 4;
    o.seed = seed;
    o.favourite_share = favourite_share;
    recsys::write_synthetic(o, dir.path().string());
    ratings = dir.file("ratings.csv");
  }
  // The file as fit() and load_dataset() take it.
  recsys::DatasetOptions files() const {
    recsys::DatasetOptions d;
    d.ratings_path = ratings;
    return d;
  }
};

}  // namespace test_support
