// Hostile input (issue #17): each case fails with a clear eqt::Error naming the file (and the line
// where there is one), or is handled -- never a crash, a hang or an allocation the input chooses.
// The extxyz reader's other 21 malformed-input cases are in test_extxyz_errors.cpp.
#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "eqt/core/error.h"
#include "eqt/data/cell_list.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/line_reader.h"
#include "eqt/data/neighbour_list.h"
#include "support/reference.h"

namespace eqt::data {
namespace {
namespace fs = std::filesystem;

class HostileInput : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::temp_dir("hostile_inputs"); }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // The message of the eqt::Error that `read` throws; fails the test if it throws none.
  template <typename Read>
  static std::string error_of(Read read) {
    try {
      read();
    } catch (const Error& e) {
      return e.what();
    }
    ADD_FAILURE() << "no error";
    return "";
  }

  // Reading `path` fails with "<path>:<line>:" and `reason` in the message.
  static void expect_error(const fs::path& path, int line, const std::string& reason) {
    const std::string message = error_of([&] { read_extxyz(path); });
    EXPECT_NE(message.find(path.string() + ":" + std::to_string(line) + ":"), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }

  fs::path dir_;
};

TEST_F(HostileInput, AtomCountOf10To15IsATruncatedFrameNotAnAllocation) {
  const auto path = write("1e15.xyz", "1000000000000000\ncomment\nH 0 0 0\nH 0 0 1\n");
  const auto start = std::chrono::steady_clock::now();
  expect_error(path, 4, "truncated frame: the file ends before its atom lines (1000000000000000 atoms declared, 2");
  // Frame selection passes over frames without parsing them: the same error, not a long loop.
  const std::string skipped = error_of([&] { read_extxyz_frame(path, 1); });
  EXPECT_NE(skipped.find("truncated frame"), std::string::npos) << skipped;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

TEST_F(HostileInput, AtomCountsThatAreNotCounts) {
  expect_error(write("huge.xyz", "99999999999999999999999\n\nH 0 0 0\n"), 1,
               "the number of atoms '99999999999999999999999' does not fit a 64-bit integer");
  expect_error(write("negative.xyz", "-1000000000000000\n\nH 0 0 0\n"), 1,
               "the number of atoms is negative (-1000000000000000)");
  expect_error(write("float.xyz", "1e15\n\nH 0 0 0\n"), 1, "expected the number of atoms, found '1e15'");
  expect_error(write("hex.xyz", "0x10\n\nH 0 0 0\n"), 1, "expected the number of atoms, found '0x10'");
  expect_error(write("binary.xyz", std::string("\x7f" "ELF\x02\x01\x01", 7) + "\n"), 1,
               "expected the number of atoms");
}

TEST_F(HostileInput, LineLongerThanTheLimitFailsNamingFileAndLine) {
  constexpr std::size_t kLimit = 1000;
  const std::string at_limit(kLimit, 'a'), over(kLimit + 1, 'b');
  const auto path = write("long.txt", "first\n" + at_limit + "\n" + over + "\nlast\n");
  LineReader reader(path, kLimit);
  std::string_view line;
  ASSERT_TRUE(reader.next(line));
  ASSERT_TRUE(reader.next(line));
  EXPECT_EQ(line.size(), kLimit);  // a line of exactly the limit is fine
  const std::string message = error_of([&] { reader.next(line); });
  EXPECT_NE(message.find(path.string() + ":3: line longer than 1000 bytes"), std::string::npos) << message;
  // A last line without a newline, and a line far longer than the read chunk, fail alike.
  const auto endless = write("endless.txt", std::string(3 << 20, 'c'));
  LineReader endless_reader(endless, kLimit);
  const std::string endless_message = error_of([&] { endless_reader.next(line); });
  EXPECT_NE(endless_message.find(endless.string() + ":1: line longer than"), std::string::npos) << endless_message;
  // Streams too.
  std::istringstream in("ok\n" + over);
  LineReader stream_reader(in, "stream", kLimit);
  ASSERT_TRUE(stream_reader.next(line));
  EXPECT_NE(error_of([&] { stream_reader.next(line); }).find("stream:2: line longer"), std::string::npos);
}

// A comment line one byte over the real limit (kMaxLineBytes, 64 MiB), in a gzip file of a few
// hundred kB: the extxyz reader stops there, instead of holding the line, however long it is.
TEST_F(HostileInput, ExtxyzCommentLineOverTheRealLimit) {
  const fs::path path = dir_ / "long_comment.xyz.gz";
  gzFile out = gzopen(path.c_str(), "wb9");
  ASSERT_NE(out, nullptr);
  gzputs(out, "1\n");
  const std::string chunk(1 << 20, 'x');
  for (std::size_t written = 0; written <= kMaxLineBytes; written += chunk.size()) {
    const std::size_t n = std::min(chunk.size(), kMaxLineBytes + 1 - written);
    ASSERT_EQ(gzwrite(out, chunk.data(), static_cast<unsigned>(n)), static_cast<int>(n));
    if (n < chunk.size()) break;
  }
  gzputs(out, "\nH 0 0 0\n");
  gzclose(out);
  EXPECT_LT(fs::file_size(path), 1u << 20);
  expect_error(path, 2, "line longer than 67108864 bytes");
}

TEST_F(HostileInput, ErrorsQuoteAtMostAKilobyteOfAHugeToken) {
  const std::string token(200'000, 'q');
  const auto path = write("token.xyz", "1\nenergy=1\nH " + token + " 0 0\n");
  const std::string message = error_of([&] { read_extxyz(path); });
  EXPECT_NE(message.find(path.string() + ":3:"), std::string::npos) << message.substr(0, 300);
  EXPECT_NE(message.find("more bytes)"), std::string::npos) << message.substr(0, 300);
  EXPECT_LT(message.size(), 1500u);
}

TEST_F(HostileInput, ZeroVolumeCells) {
  // Linearly dependent, none of them zero or parallel: c = a + b.
  expect_error(write("dependent.xyz", "1\nLattice=\"1 0 0 0 1 0 1 1 0\" pbc=\"T T T\"\nH 0 0 0\n"), 2,
               "Lattice is singular");
  expect_error(write("zero.xyz", "1\nLattice=\"0 0 0 0 0 0 0 0 0\"\nH 0 0 0\n"), 2, "Lattice is singular");
  expect_error(write("slab.xyz", "1\nLattice=\"1 0 0 2 0 0 0 0 0\" pbc=\"T T F\"\nH 0 0 0\n"), 2,
               "Lattice is singular");
  // The same dependent vectors along open directions are harmless (ASE reads them too).
  const auto open = read_extxyz(write("open.xyz", "1\nLattice=\"1 0 0 0 1 0 1 1 0\" pbc=\"T T F\"\nH 0 0 0\n"));
  ASSERT_EQ(open.size(), 1u);
  // A proper but absurdly flat cell reads, and the neighbour list refuses its 1e14 images per atom.
  const auto flat = read_extxyz(write("flat.xyz", "1\nLattice=\"1 0 0 0 1 0 0 0 1e-14\"\nH 0 0 0\n"));
  const std::string thin = error_of([&] { neighbour_list(flat.at(0), 2.0); });
  EXPECT_NE(thin.find("cell is too thin"), std::string::npos) << thin;
  // And the neighbour list refuses a singular periodic cell it is given directly.
  const at::Tensor cell = at::tensor({1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0}, at::kDouble).reshape({3, 3});
  const std::string message = error_of([&] { neighbour_list(at::zeros({1, 3}, at::kDouble), cell, {true, true, true}, 2.0); });
  EXPECT_NE(message.find("singular"), std::string::npos) << message;
}

// Two atoms 1 A apart plus one at `far` along x.
at::Tensor with_far_atom(double far) {
  return at::tensor({0.0, 0.0, 0.0, 1.0, 0.0, 0.0, far, 0.0, 0.0}, at::kDouble).reshape({3, 3});
}

TEST_F(HostileInput, AtomAt1e30AngstromInAMolecule) {
  const auto path = write("far.xyz", "3\nenergy=1\nH 0 0 0\nH 1 0 0\nH 1e30 0 0\n");
  const Structure s = read_extxyz(path).at(0);
  const NeighbourList list = neighbour_list(s, 3.0);
  EXPECT_EQ(list.size(), 2);  // 0-1 and 1-0; the far atom has no neighbour
  // The bin grid stays within its bound of 8 bins per atom (+64), not 1e30 / cutoff bins.
  const auto bins = detail::build_cell_list(with_far_atom(1e30).data_ptr<double>(), 3, {}, {false, false, false}, 3.0);
  EXPECT_LE(bins.grid.num_bins(), 8 * 3 + 64);
  // At the ends of the double range the grid's span overflows to infinity: still no neighbour.
  for (const double far : {1e300, 1.7e308, -1.7e308}) {
    at::Tensor positions = with_far_atom(far);
    positions[0][0] = -far;
    EXPECT_EQ(neighbour_list(positions, at::zeros({3, 3}, at::kDouble), {false, false, false}, 3.0).size(), 0) << far;
    positions[0][0] = 0.0;
    EXPECT_EQ(neighbour_list(positions, at::zeros({3, 3}, at::kDouble), {false, false, false}, 3.0).size(), 2) << far;
  }
}

TEST_F(HostileInput, AtomAt1e30AngstromInAPeriodicStructure) {
  // Read from a file, the error names the file and the atom's line.
  expect_error(write("far_periodic.xyz", "3\nLattice=\"10 0 0 0 10 0 0 0 10\"\nH 0 0 0\nH 1 0 0\nH 1e30 0 0\n"), 5,
               "atom 2 is 1e+29 cells outside the periodic cell (more than 1e+06)");
  // Along an open direction of a slab it is only far away: the file reads.
  EXPECT_EQ(read_extxyz(write("far_slab.xyz", "3\nLattice=\"10 0 0 0 10 0 0 0 10\" pbc=\"F T T\"\n"
                                              "H 0 0 0\nH 1 0 0\nH 1e30 0 0\n"))
                .size(),
            1u);
  // Periodic along x: the atom is 1e29 cells away and cannot be wrapped precisely: a clear error.
  const at::Tensor cell = 10 * at::eye(3, at::kDouble);
  const std::string message =
      error_of([&] { neighbour_list(with_far_atom(1e30), cell, {true, true, true}, 3.0); });
  EXPECT_NE(message.find("atom 2 is"), std::string::npos) << message;
  EXPECT_NE(message.find("cells outside the periodic cell"), std::string::npos) << message;
  // A slab periodic in y and z with the atom far out along the open x: bounded grid, right pairs.
  const auto bins = detail::build_cell_list(with_far_atom(1e30).data_ptr<double>(), 3,
                                            {10, 0, 0, 0, 10, 0, 0, 0, 10}, {false, true, true}, 3.0);
  EXPECT_LE(bins.grid.num_bins(), 8 * 3 + 64);
  EXPECT_EQ(neighbour_list(with_far_atom(1e30), cell, {false, true, true}, 3.0).size(), 2);
}

}  // namespace
}  // namespace eqt::data
