// Writing: eqt -> eqt round trips are exact, values that ASE would misread get faithful encodings,
// files are replaced atomically, and gzip output reads back. (ASE reading our output is in
// test_extxyz_ase.cpp.)
#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <sstream>

#include "eqt/core/error.h"
#include "eqt/data/extxyz_format.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/extxyz_writer.h"
#include "structure_compare.h"
#include "support/reference.h"
#include "write_samples.h"

namespace eqt::data {
namespace {
namespace fs = std::filesystem;
using testing_support::expect_same_structure;

std::vector<Structure> round_trip(const std::vector<Structure>& frames) {
  std::ostringstream out;
  write_extxyz(out, frames);
  return read_extxyz_text(out.str(), "round_trip.xyz");
}

TEST(ExtxyzWriter, FormatRealRoundTripsAndLooksLikeAFloat) {
  EXPECT_EQ(format_real(1.0), "1.0");
  EXPECT_EQ(format_real(-0.0), "-0.0");
  EXPECT_EQ(format_real(0.1), "0.1");
  EXPECT_EQ(format_real(1e20), "1e+20");
  for (double v : {1.0 / 3.0, -2.5e-300, 6.02214076e23, 5e-324, 1e16}) {
    EXPECT_EQ(std::strtod(format_real(v).c_str(), nullptr), v);
  }
}

TEST(ExtxyzWriter, QuotingEscapesQuotesAndBackslashes) {
  EXPECT_EQ(quote_if_needed("plain"), "plain");
  EXPECT_EQ(quote_if_needed("two words"), "\"two words\"");
  EXPECT_EQ(quote_if_needed("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(quote_if_needed(""), "\"\"");
}

TEST(ExtxyzWriter, AmbiguousTextIsWrittenAsJson) {
  EXPECT_EQ(format_info_pair("name", std::string("12")), "name=\"_JSON \\\"12\\\"\"");
  EXPECT_EQ(format_info_pair("flag", std::string("T")), "flag=\"_JSON \\\"T\\\"\"");
  // ASE 3.23+ reads a bare True as a boolean (3.22 as text): JSON keeps it text for both.
  EXPECT_EQ(format_info_pair("word", std::string("True")), "word=\"_JSON \\\"True\\\"\"");
  EXPECT_EQ(format_info_pair("word", std::string("tRUE")), "word=tRUE");
}

TEST(ExtxyzWriter, SamplesRoundTripExactly) {
  const auto frames = samples::all();
  const auto back = round_trip(frames);
  ASSERT_EQ(back.size(), frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    SCOPED_TRACE("frame " + std::to_string(i));
    expect_same_structure(frames[i], back[i]);
  }
}

TEST(ExtxyzWriter, VoigtStressIsWrittenAs3x3) {
  Structure s = samples::periodic_with_stress();
  s.info["stress"] = at::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, at::kDouble);
  const auto back = round_trip({s});
  const at::Tensor m = back[0].info_tensor("stress");
  ASSERT_EQ(m.sizes(), (at::IntArrayRef{3, 3}));
  EXPECT_EQ(m[1][2].item<double>(), 4.0);  // yz
  EXPECT_EQ(m[0][1].item<double>(), 6.0);  // xy
}

TEST(ExtxyzWriter, RefusesWhatCannotBeReadBack) {
  Structure s = samples::molecule_with_every_info_type();
  Structure empty_ints = s;
  empty_ints.info["e"] = at::zeros({0}, at::kLong);
  EXPECT_THROW(format_extxyz_frame(empty_ints), Error);
  Structure reserved = s;
  reserved.info["pbc"] = std::string("x");
  EXPECT_THROW(format_extxyz_frame(reserved), Error);
  Structure spaced = s;
  spaced.string_arrays["label"] = std::vector<std::string>(s.num_atoms(), "two words");
  EXPECT_THROW(format_extxyz_frame(spaced), Error);
  Structure nan_positions = s;
  nan_positions.positions = s.positions.clone();
  nan_positions.positions[0][0] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(format_extxyz_frame(nan_positions), Error);
  Structure wrong_rows = s;
  wrong_rows.arrays["forces"] = at::zeros({s.num_atoms() + 1, 3}, at::kDouble);
  EXPECT_THROW(format_extxyz_frame(wrong_rows), Error);
}

TEST(ExtxyzWriter, FileWriteIsAtomicAndGzipWorks) {
  const fs::path dir = testing::temp_dir("extxyz_writer");
  const auto frames = samples::all();
  for (const char* name : {"out.xyz", "out.xyz.gz"}) {
    write_extxyz(dir / name, frames);
    const auto back = read_extxyz(dir / name);
    ASSERT_EQ(back.size(), frames.size()) << name;
    expect_same_structure(frames[0], back[0]);
  }
  std::ifstream gz(dir / "out.xyz.gz", std::ios::binary);
  EXPECT_EQ(gz.get(), 0x1f);  // gzip magic
  EXPECT_EQ(gz.get(), 0x8b);

  // A failing write leaves the existing file as it was and no temporary file behind.
  Structure bad = frames[0];
  bad.info["Lattice"] = std::string("x");
  EXPECT_THROW(write_extxyz(dir / "out.xyz", {frames[0], bad}), Error);
  EXPECT_EQ(read_extxyz(dir / "out.xyz").size(), frames.size());
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir)) entries += entry.is_regular_file();
  EXPECT_EQ(entries, 2);
  EXPECT_THROW(write_extxyz(dir / "no_such_dir" / "x.xyz", frames), Error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::data
