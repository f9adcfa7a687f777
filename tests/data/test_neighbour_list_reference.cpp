#include "test_neighbour_list_reference.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <tuple>

#include "support/reference.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;
using EdgeKey = std::array<int64_t, 5>;  // i, j, S

template <typename T>
std::vector<T> read_values(std::ifstream& in, int64_t count) {
  std::vector<T> values(static_cast<std::size_t>(count));
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(count * sizeof(T)));
  if (!in) throw std::runtime_error("truncated ASE neighbour reference dump");
  return values;
}

template <typename T>
at::Tensor to_tensor(const std::vector<T>& values, std::vector<int64_t> shape) {
  const auto dtype = std::is_same<T, double>::value ? at::kDouble : at::kLong;
  return at::tensor(values, dtype).reshape(shape).clone();
}

AseNeighbourCase read_case(std::ifstream& in, int64_t name_length) {
  AseNeighbourCase c;
  c.name.resize(static_cast<std::size_t>(name_length));
  in.read(c.name.data(), name_length);
  const auto header = read_values<int64_t>(in, 5);
  const int64_t n = header[0], e = header[1];
  c.cutoff = read_values<double>(in, 1)[0];
  const auto cell = read_values<double>(in, 9);
  const auto positions = read_values<double>(in, 3 * n);
  const auto numbers = read_values<int64_t>(in, n);
  c.structure = data::make_structure(numbers, to_tensor(positions, {n, 3}), to_tensor(cell, {3, 3}),
                                     {header[2] != 0, header[3] != 0, header[4] != 0});
  c.i = to_tensor(read_values<int64_t>(in, e), {e});
  c.j = to_tensor(read_values<int64_t>(in, e), {e});
  c.shifts = to_tensor(read_values<int64_t>(in, 3 * e), {e, 3});
  c.distances = to_tensor(read_values<double>(in, e), {e});
  return c;
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

std::vector<EdgeKey> edge_keys(const at::Tensor& i, const at::Tensor& j, const at::Tensor& s) {
  const auto ia = i.accessor<int64_t, 1>();
  const auto ja = j.accessor<int64_t, 1>();
  const auto sa = s.accessor<int64_t, 2>();
  std::vector<EdgeKey> keys(static_cast<std::size_t>(i.size(0)));
  for (int64_t e = 0; e < i.size(0); ++e) keys[e] = {ia[e], ja[e], sa[e][0], sa[e][1], sa[e][2]};
  return keys;
}

// |positions[j] - positions[i] + S @ cell| computed here, independently of the library.
double edge_length(const data::Structure& s, const EdgeKey& k) {
  const auto p = s.positions.accessor<double, 2>();
  const auto cell = s.cell.accessor<double, 2>();
  double sq = 0;
  for (int c = 0; c < 3; ++c) {
    const double shift = k[2] * cell[0][c] + k[3] * cell[1][c] + k[4] * cell[2][c];
    const double d = p[k[1]][c] - p[k[0]][c] + shift;
    sq += d * d;
  }
  return std::sqrt(sq);
}

std::string describe(const EdgeKey& k, double length) {
  return "(i=" + std::to_string(k[0]) + ", j=" + std::to_string(k[1]) +
         ", S=" + std::to_string(k[2]) + " " + std::to_string(k[3]) + " " + std::to_string(k[4]) +
         ", d=" + std::to_string(length) + ")";
}

// An edge only one side has is acceptable only at the cutoff itself (to rounding).
void count_unmatched(EdgeComparison& result, const AseNeighbourCase& ref, const EdgeKey& k,
                     double length, int64_t& counter, const char* what) {
  if (std::abs(length - ref.cutoff) <= 1e-12 * ref.cutoff) {
    ++result.boundary_ties;
    return;
  }
  ++counter;
  if (result.first_problem.empty()) result.first_problem = std::string(what) + describe(k, length);
}

}  // namespace

std::vector<AseNeighbourCase> ase_neighbour_cases(const std::vector<std::string>& arguments,
                                                  const std::vector<std::string>& paths) {
  const fs::path dump = temp_dir("nl_ase") / "reference.bin";
  std::string command = std::string(EQT_TEST_PYTHON) + " " +
                        quoted((source_dir() / "tests/data/ase_neighbour_reference.py").string());
  for (const auto& a : arguments) command += " " + a;
  command += " " + quoted(dump.string());
  for (const auto& p : paths) command += " " + quoted(p);
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
  std::ifstream in(dump, std::ios::binary);
  std::vector<AseNeighbourCase> cases;
  int64_t name_length = 0;
  while (in.read(reinterpret_cast<char*>(&name_length), sizeof(name_length))) {
    cases.push_back(read_case(in, name_length));
  }
  fs::remove_all(dump.parent_path());
  return cases;
}

EdgeComparison compare_with_ase(const AseNeighbourCase& ref, const data::NeighbourList& nl) {
  EdgeComparison result;
  const std::vector<EdgeKey> ours = edge_keys(nl.centres, nl.neighbours, nl.shifts);
  result.sorted_unique =
      std::adjacent_find(ours.begin(), ours.end(),
                         [](const auto& a, const auto& b) { return !(a < b); }) == ours.end();
  std::vector<EdgeKey> theirs = edge_keys(ref.i, ref.j, ref.shifts);
  std::vector<int64_t> order(theirs.size());
  for (std::size_t e = 0; e < order.size(); ++e) order[e] = static_cast<int64_t>(e);
  std::sort(order.begin(), order.end(),
            [&](int64_t a, int64_t b) { return theirs[a] < theirs[b]; });
  std::vector<EdgeKey> sorted_ours = ours;
  std::sort(sorted_ours.begin(), sorted_ours.end());
  const auto d = ref.distances.accessor<double, 1>();
  std::size_t a = 0, b = 0;
  while (a < sorted_ours.size() || b < order.size()) {
    const bool take_ours =
        b == order.size() || (a < sorted_ours.size() && sorted_ours[a] < theirs[order[b]]);
    const bool take_theirs =
        a == sorted_ours.size() || (b < order.size() && theirs[order[b]] < sorted_ours[a]);
    if (take_ours) {
      const EdgeKey& k = sorted_ours[a++];
      count_unmatched(result, ref, k, edge_length(ref.structure, k), result.extra, "extra ");
    } else if (take_theirs) {
      const int64_t e = order[b++];
      count_unmatched(result, ref, theirs[e], d[e], result.missing, "missing ");
    } else {
      const double error = std::abs(edge_length(ref.structure, sorted_ours[a]) - d[order[b]]);
      result.max_distance_error = std::max(result.max_distance_error, error);
      ++result.matched;
      ++a;
      ++b;
    }
  }
  return result;
}

}  // namespace eqt::testing
