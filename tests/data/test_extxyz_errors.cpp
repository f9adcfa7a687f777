// Bad input: every kind fails with an eqt::Error naming the file, the 1-based line and the reason.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "eqt/core/error.h"
#include "eqt/data/extxyz_reader.h"
#include "support/reference.h"

namespace eqt::data {
namespace {
namespace fs = std::filesystem;

const char* const kGoodFrame =
    "2\n"
    "Properties=species:S:1:pos:R:3:forces:R:3 energy=-1.5 pbc=\"F F F\"\n"
    "H 0.0 0.0 0.0 0.1 0.2 0.3\n"
    "H 0.0 0.0 0.74 -0.1 -0.2 -0.3\n";

class ExtxyzErrors : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::temp_dir("extxyz_errors"); }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // Reads the file and checks the error names it, the "file:line:" position and the reason.
  void expect_error(const fs::path& path, int line, const std::string& reason) {
    try {
      read_extxyz(path);
      ADD_FAILURE() << "no error reading " << path;
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path.filename().string()), std::string::npos) << message;
      if (line > 0) {
        EXPECT_NE(message.find(":" + std::to_string(line) + ":"), std::string::npos) << message;
      }
      EXPECT_NE(message.find(reason), std::string::npos) << message;
    }
  }

  fs::path dir_;
};

TEST_F(ExtxyzErrors, GoodFrameReads) {
  const auto frames = read_extxyz(write("good.xyz", std::string(kGoodFrame) + kGoodFrame));
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1].num_atoms(), 2);
}

TEST_F(ExtxyzErrors, TruncatedFrame) {
  const std::string text = std::string(kGoodFrame) + "3\nenergy=1\nH 0 0 0\nH 0 0 1\n";
  expect_error(write("truncated.xyz", text), 8, "truncated frame");
  expect_error(write("truncated.xyz", text), 8, "frame 1");
}

TEST_F(ExtxyzErrors, AbsurdAtomCountIsATruncatedFrameNotAnAllocation) {
  expect_error(write("huge.xyz", "99999999999999\n\nH 0 0 0\n"), 3, "truncated frame");
}

TEST_F(ExtxyzErrors, TruncatedFrameFollowedByAnotherFrame) {
  const std::string text = "3\nenergy=1\nH 0 0 0\nH 0 0 1\n" + std::string(kGoodFrame);
  expect_error(write("short.xyz", text), 5, "truncated frame?");
}

TEST_F(ExtxyzErrors, NonIntegerAtomCount) {
  expect_error(write("count.xyz", "2.5\n\nH 0 0 0\nH 0 0 1\n"), 1,
               "expected the number of atoms, found '2.5'");
  expect_error(write("count2.xyz", std::string(kGoodFrame) + "two\n"), 5,
               "expected the number of atoms");
}

TEST_F(ExtxyzErrors, NegativeAtomCount) {
  expect_error(write("negative.xyz", "-2\n\n"), 1, "negative");
}

TEST_F(ExtxyzErrors, WrongColumnCount) {
  const std::string text =
      "2\nProperties=species:S:1:pos:R:3:forces:R:3\nH 0 0 0 1 2 3\nH 0 0 1 1 2\n";
  expect_error(write("columns.xyz", text), 4, "atom line has 6 fields");
  expect_error(write("columns2.xyz", "1\n\nH 0 0 0 7\n"), 3, "needs 4");
}

TEST_F(ExtxyzErrors, NonNumericField) {
  expect_error(write("field.xyz", "1\n\nH 0 0 zero\n"), 3, "'zero' is not a number");
  expect_error(write("int.xyz", "1\nProperties=species:S:1:pos:R:3:tag:I:1\nH 0 0 0 1.5\n"), 3,
               "'1.5' is not an integer");
  expect_error(write("bool.xyz", "1\nProperties=species:S:1:pos:R:3:fix:L:1\nH 0 0 0 yes\n"),
               3, "'yes' is not T, F, True or False");
}

TEST_F(ExtxyzErrors, BadLattice) {
  expect_error(write("lattice8.xyz", "1\nLattice=\"1 0 0 0 1 0 0 0\"\nH 0 0 0\n"), 2,
               "Lattice must be 9 numbers");
  expect_error(write("lattice_text.xyz", "1\nLattice=\"1 0 0 0 1 0 0 0 a\"\nH 0 0 0\n"), 2,
               "Lattice must be 9 numbers");
  expect_error(write("singular.xyz", "1\nLattice=\"1 0 0 2 0 0 0 0 1\"\nH 0 0 0\n"), 2,
               "Lattice is singular");
  expect_error(write("nan_lattice.xyz", "1\nLattice=\"nan 0 0 0 1 0 0 0 1\"\nH 0 0 0\n"), 2,
               "non-finite");
}

TEST_F(ExtxyzErrors, UnknownElement) {
  expect_error(write("element.xyz", std::string(kGoodFrame) + "1\n\nQq 0 0 0\n"), 7,
               "species 'Qq' is not a chemical element");
  expect_error(write("z.xyz", "1\nProperties=Z:I:1:pos:R:3\n200 0 0 0\n"), 3,
               "Z = 200 is not an atomic number");
}

TEST_F(ExtxyzErrors, NonFinitePositions) {
  expect_error(write("nan.xyz", "2\n\nH 0 0 0\nH nan 0 0\n"), 4,
               "position of atom 1 is not finite");
  expect_error(write("inf.xyz", "1\n\nH 0 -inf 0\n"), 3, "not finite");
}

TEST_F(ExtxyzErrors, MalformedProperties) {
  expect_error(write("type.xyz", "1\nProperties=species:S:1:pos:X:3\nH 0 0 0\n"), 2,
               "type 'X', expected one of R I L S");
  expect_error(write("width.xyz", "1\nProperties=species:S:1:pos:R:three\nH 0 0 0\n"), 2,
               "width 'three'");
  expect_error(write("zero.xyz", "1\nProperties=species:S:1:pos:R:3:q:R:0\nH 0 0 0\n"), 2,
               "width '0'");
  expect_error(write("nopos.xyz", "1\nProperties=species:S:1:x:R:3\nH 0 0 0\n"), 2,
               "has no pos:R:3 column");
  expect_error(write("incomplete.xyz", "1\nProperties=species:S:1:pos:R\nH 0 0 0\n"), 2,
               "name:type:width triples");
  expect_error(write("pos2.xyz", "1\nProperties=species:S:1:pos:R:2\nH 0 0\n"), 2,
               "'pos' (positions) must be pos:R:3");
}

TEST_F(ExtxyzErrors, UnterminatedQuote) {
  expect_error(write("quote.xyz", std::string(kGoodFrame) + "1\nenergy=1 name=\"abc\nH 0 0 0\n"),
               6, "unterminated quote");
}

TEST_F(ExtxyzErrors, ForcesWithWrongWidth) {
  expect_error(write("forces.xyz", "1\nProperties=species:S:1:pos:R:3:forces:R:2\nH 0 0 0 1 2\n"),
               2, "'forces' (ASE's per-atom forces) must be forces:R:3");
}

TEST_F(ExtxyzErrors, EmptyFile) {
  expect_error(write("empty.xyz", ""), 0, "file is empty");
  expect_error(write("blank.xyz", "\n  \n"), 0, "file is empty");
}

TEST_F(ExtxyzErrors, BlankLineBetweenFrames) {
  expect_error(write("gap.xyz", std::string(kGoodFrame) + "\n" + kGoodFrame), 5,
               "more data follows at line 6");
}

TEST_F(ExtxyzErrors, MissingOrUnreadableFile) {
  expect_error(dir_ / "missing.xyz", 0, "file not found");
  fs::create_directories(dir_ / "folder.xyz");
  expect_error(dir_ / "folder.xyz", 0, "is a directory");
}

TEST_F(ExtxyzErrors, CorruptGzip) {
  // Valid gzip magic and header, then garbage where the deflate stream should be.
  std::string bytes("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  bytes += std::string(64, '\xff');
  expect_error(write("corrupt.xyz.gz", bytes), 0, "corrupt or truncated gzip");
}

TEST_F(ExtxyzErrors, TruncatedGzip) {
  // Compress ten good frames, then cut the stream in half.
  std::string text;
  for (int i = 0; i < 10; ++i) text += kGoodFrame;
  const fs::path full = dir_ / "full.xyz.gz";
  gzFile out = gzopen(full.c_str(), "wb");
  gzwrite(out, text.data(), static_cast<unsigned>(text.size()));
  gzclose(out);
  std::ifstream in(full, std::ios::binary);
  const std::string compressed((std::istreambuf_iterator<char>(in)), {});
  expect_error(write("cut.xyz.gz", compressed.substr(0, compressed.size() / 2)), 0,
               "corrupt or truncated gzip");
}

TEST_F(ExtxyzErrors, VecLinesAreRefused) {
  expect_error(write("vec.xyz", "1\ncomment\nH 0 0 0\nVEC1 1 0 0\n"), 4, "VEC lines");
}

TEST_F(ExtxyzErrors, BadPbc) {
  expect_error(write("pbc.xyz", "1\npbc=\"T T\"\nH 0 0 0\n"), 2, "pbc must be one or three");
  expect_error(write("pbc_nocell.xyz", "1\npbc=\"T T T\"\nH 0 0 0\n"), 2, "no Lattice");
}

}  // namespace
}  // namespace eqt::data
