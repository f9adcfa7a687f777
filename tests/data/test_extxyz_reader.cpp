// Reading: structure fields, ASE's conventions, ranges, streaming, gzip. Values in the small
// files below are written here by hand; dataset comparisons are in test_extxyz_ase.cpp.
#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "eqt/core/error.h"
#include "eqt/data/extxyz_reader.h"
#include "support/reference.h"

namespace eqt::data {
namespace {
namespace fs = std::filesystem;

const char* const kPeriodic =
    "2\n"
    "Lattice=\"4.0 0.0 0.0 1.0 5.0 0.0 0.0 0.0 6.0\" "
    "Properties=species:S:1:pos:R:3:forces:R:3:tag:I:1:fixed:L:1:label:S:1 "
    "energy=-3.25 config_type=bulk stress=\"1 2 3 2 5 6 3 6 9\"\n"
    "Si 0.0 0.0 0.0 0.5 0.0 0.0 7 T a\n"
    "si 1.0 1.5 2.0 -0.5 0.0 0.0 8 False b\n";

std::string numbered_frames(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) {
    text += "1\nindex=" + std::to_string(i) + "\nH 0 0 " + std::to_string(i) + "\n";
  }
  return text;
}

TEST(ExtxyzReader, ReadsCellPbcInfoAndArrays) {
  const auto frames = read_extxyz_text(kPeriodic, "periodic.xyz");
  ASSERT_EQ(frames.size(), 1u);
  const Structure& s = frames[0];
  EXPECT_TRUE(at::equal(s.numbers, at::tensor({14, 14}, at::kLong)));
  EXPECT_EQ(s.positions[1][2].item<double>(), 2.0);
  // Lattice lists the vectors one after the other: row 1 is (1, 5, 0).
  EXPECT_EQ(s.cell[1][0].item<double>(), 1.0);
  EXPECT_EQ(s.cell[1][1].item<double>(), 5.0);
  EXPECT_EQ(s.pbc, (std::array<bool, 3>{true, true, true}));  // default with a Lattice
  EXPECT_EQ(s.info_scalar("energy"), -3.25);
  EXPECT_EQ(std::get<std::string>(s.info.at("config_type")), "bulk");
  EXPECT_EQ(s.info_tensor("stress").sizes(), (at::IntArrayRef{3, 3}));
  EXPECT_EQ(s.info_order, (std::vector<std::string>{"energy", "config_type", "stress"}));
  EXPECT_EQ(s.array_order, (std::vector<std::string>{"forces", "tag", "fixed", "label"}));
  EXPECT_EQ(s.arrays.at("forces").sizes(), (at::IntArrayRef{2, 3}));
  EXPECT_EQ(s.arrays.at("tag").scalar_type(), at::kLong);
  EXPECT_EQ(s.arrays.at("tag")[1].item<int64_t>(), 8);
  EXPECT_EQ(s.arrays.at("fixed").scalar_type(), at::kBool);
  EXPECT_FALSE(s.arrays.at("fixed")[1].item<bool>());
  EXPECT_EQ(s.string_arrays.at("label"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.info.count("Lattice") + s.info.count("pbc") + s.info.count("Properties"), 0u);
}

TEST(ExtxyzReader, PlainXyzDefaultsAndCrlf) {
  const auto frames = read_extxyz_text("2\r\nwater molecule\r\nO 0 0 0\r\nH 0 0 1\r\n", "w.xyz");
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_TRUE(at::equal(frames[0].numbers, at::tensor({8, 1}, at::kLong)));
  EXPECT_FALSE(frames[0].periodic());
  EXPECT_TRUE(frames[0].info.at("water").index() == 1);  // bare word: True, as ASE
}

TEST(ExtxyzReader, ZColumnOverridesSpecies) {
  const auto frames =
      read_extxyz_text("1\nProperties=species:S:1:pos:R:3:Z:I:1\nH 0 0 0 6\n", "z.xyz");
  EXPECT_EQ(frames[0].numbers[0].item<int64_t>(), 6);
  EXPECT_FALSE(frames[0].has_array("Z"));
}

TEST(ExtxyzReader, DummyAtomXAndExplicitPbc) {
  const auto frames = read_extxyz_text(
      "1\nLattice=\"3 0 0 0 3 0 0 0 30\" pbc=\"T T F\"\nX 0 0 0\n", "x.xyz");
  EXPECT_EQ(frames[0].numbers[0].item<int64_t>(), 0);
  EXPECT_EQ(frames[0].pbc, (std::array<bool, 3>{true, true, false}));
}

TEST(ExtxyzReader, ZeroAtomFrame) {
  const auto frames = read_extxyz_text("0\nenergy=0\n1\n\nH 0 0 0\n", "zero.xyz");
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].num_atoms(), 0);
  EXPECT_EQ(frames[0].positions.sizes(), (at::IntArrayRef{0, 3}));
}

TEST(ExtxyzReader, RangesSkipFrames) {
  const std::string text = numbered_frames(10);
  std::istringstream in(text);
  const auto frames = read_extxyz(in, "ten.xyz", FrameRange{2, 9, 3});
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].info_scalar("index"), 2);
  EXPECT_EQ(frames[1].info_scalar("index"), 5);
  EXPECT_EQ(frames[2].info_scalar("index"), 8);
  std::istringstream again(text);
  EXPECT_EQ(read_extxyz(again, "ten.xyz", FrameRange{7}).size(), 3u);
  std::istringstream bad(text);
  EXPECT_THROW(read_extxyz(bad, "ten.xyz", FrameRange{0, -1, 0}), Error);
}

TEST(ExtxyzReader, StreamsFrameByFrame) {
  std::istringstream in(numbered_frames(3) + "\n\n");  // trailing blank lines are fine
  ExtxyzReader reader(in, "three.xyz");
  int count = 0;
  while (auto frame = reader.next()) {
    EXPECT_EQ(frame->info_scalar("index"), count);
    ++count;
  }
  EXPECT_EQ(count, 3);
  EXPECT_FALSE(reader.next().has_value());
}

TEST(ExtxyzReader, GzipIsDetectedByContentNotName) {
  const fs::path dir = testing::temp_dir("extxyz_gzip");
  const std::string text = numbered_frames(5);
  for (const char* name : {"data.xyz.gz", "compressed_without_suffix.xyz"}) {
    gzFile out = gzopen((dir / name).c_str(), "wb");
    gzwrite(out, text.data(), static_cast<unsigned>(text.size()));
    gzclose(out);
    const auto frames = read_extxyz(dir / name);
    ASSERT_EQ(frames.size(), 5u) << name;
    EXPECT_EQ(frames[4].positions[0][2].item<double>(), 4.0);
  }
  std::ofstream(dir / "plain.xyz.gz") << text;  // a plain file with a .gz name reads too
  EXPECT_EQ(read_extxyz(dir / "plain.xyz.gz").size(), 5u);
  fs::remove_all(dir);
}

TEST(ExtxyzReader, LongLinesAcrossChunkBoundaries) {
  // Lines longer than the 1 MiB read chunk must still be assembled correctly.
  const std::string long_value(3 << 20, 'a');
  const auto frames = read_extxyz_text("1\nnote=" + long_value + "\nH 0 0 0\n", "long.xyz");
  EXPECT_EQ(std::get<std::string>(frames[0].info.at("note")).size(), long_value.size());
}

TEST(ExtxyzReader, AspirinReadsFast) {
  EQT_REQUIRE_SHARED(shared);
  const fs::path path = shared / "data/rmd17/rmd17_aspirin_train.xyz";
  const auto start = std::chrono::steady_clock::now();
  const auto frames = read_extxyz(path);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(frames.size(), 1000u);
  EXPECT_EQ(frames[0].num_atoms(), 21);
  EXPECT_LT(seconds, 1.0) << "reading 1000 aspirin frames took " << seconds << " s";
  RecordProperty("aspirin_read_seconds", std::to_string(seconds));
  std::cout << "[ timing ] rmd17_aspirin_train.xyz (1000 frames): " << seconds << " s\n";
}

}  // namespace
}  // namespace eqt::data
