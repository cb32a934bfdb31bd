#pragma once
// The model file: one self-contained binary file read by every command.
//
// Layout (all integers and floats little-endian, whatever the host):
//   "RECSYSMF"            8-byte magic
//   u32 version           format version, currently 2; newer files are refused
//   u32 0x01020304        byte-order marker
//   u64 payload bytes     length of the sections that follow
//   sections              each: u32 tag, u64 length, body
//   u32 crc32             CRC-32 of every byte before it
// Sections are found by tag; a reader skips tags it does not know, so a later
// minor addition stays readable by this version, and a reader of a later
// version keeps reading older files (it parses by the version number).
// Version 2 stores every setting of TrainConfig; a setting added since (split)
// loads as its default from a file written before it, and so do shuffle and
// block_groups from version 1, which lacked them.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "recsys/io/trained_model.hpp"

namespace recsys {

inline constexpr std::uint32_t kModelFormatVersion = 2;

std::vector<std::uint8_t> serialize_model(const TrainedModel& model);
// `name` is the file name used in error messages.
TrainedModel parse_model(std::span<const std::uint8_t> bytes, const std::string& name);

// Written to a temporary file and renamed; returns the bytes written;
// throws recsys::Error.
std::uint64_t save_model(const TrainedModel& model, const std::string& path);
TrainedModel load_model(const std::string& path);

}  // namespace recsys
