#pragma once
// Irreducible representations of O(3) and direct sums of them, with e3nn 0.5 conventions:
// an Irrep is (l, p) with parity p = +1 ('e') or -1 ('o'); ordering is (l, p) with 'o' before 'e'.
// Features are laid out block by block; within a `mul x ir` block as [mul, 2l+1], m fastest.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace eqt::so3 {

struct Irrep {
  int l = 0;
  int p = 1;

  Irrep() = default;
  Irrep(int l_, int p_);
  explicit Irrep(const std::string& text);  // "1o", "2e", "3y" (y: p = (-1)^l)

  int dim() const { return 2 * l + 1; }
  bool is_scalar() const { return l == 0 && p == 1; }
  std::string str() const;
  // Irreps appearing in the tensor product of *this and other: |l1-l2| .. l1+l2, parity p1*p2.
  std::vector<Irrep> operator*(const Irrep& other) const;

  friend bool operator==(const Irrep& a, const Irrep& b) { return a.l == b.l && a.p == b.p; }
  friend bool operator!=(const Irrep& a, const Irrep& b) { return !(a == b); }
  friend bool operator<(const Irrep& a, const Irrep& b) {
    return a.l != b.l ? a.l < b.l : a.p < b.p;
  }
};

struct MulIrrep {
  int mul = 0;
  Irrep ir;

  int dim() const { return mul * ir.dim(); }
  std::string str() const;
  friend bool operator==(const MulIrrep& a, const MulIrrep& b) {
    return a.mul == b.mul && a.ir == b.ir;
  }
};

class Irreps {
 public:
  Irreps() = default;
  Irreps(const char* text) : Irreps(std::string(text)) {}  // NOLINT: strings read naturally
  Irreps(const std::string& text);                          // NOLINT
  Irreps(std::vector<MulIrrep> items) : items_(std::move(items)) {}  // NOLINT
  Irreps(int mul, Irrep ir) : items_{MulIrrep{mul, ir}} {}

  // "1x0e+1x1o+1x2e+..." up to lmax; p = -1 gives the parity of spherical harmonics.
  static Irreps spherical_harmonics(int lmax, int p = -1);

  int64_t dim() const;
  int64_t num_irreps() const;
  int lmax() const;
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const MulIrrep& operator[](std::size_t i) const { return items_.at(i); }
  std::vector<MulIrrep>::const_iterator begin() const { return items_.begin(); }
  std::vector<MulIrrep>::const_iterator end() const { return items_.end(); }
  const std::vector<MulIrrep>& items() const { return items_; }

  // [start, stop) of each block in the flat feature vector.
  std::vector<std::pair<int64_t, int64_t>> slices() const;
  // l of every copy, in order (length num_irreps).
  std::vector<int> ls() const;
  int count(const Irrep& ir) const;

  // Merges neighbouring equal irreps and drops zero multiplicities (as e3nn: not a global regroup).
  Irreps simplify() const;
  struct Sorted;
  Sorted sort() const;
  Irreps operator+(const Irreps& other) const;
  Irreps repeat(int times) const;  // Irreps * n in e3nn

  std::string str() const;
  friend bool operator==(const Irreps& a, const Irreps& b) { return a.items_ == b.items_; }
  friend bool operator!=(const Irreps& a, const Irreps& b) { return !(a == b); }

 private:
  std::vector<MulIrrep> items_;
};

struct Irreps::Sorted {
  Irreps irreps;
  std::vector<int> p;    // original block i moves to position p[i]
  std::vector<int> inv;  // sorted position k holds original block inv[k]
};

}  // namespace eqt::so3
