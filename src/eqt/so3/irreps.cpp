#include "eqt/so3/irreps.h"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <tuple>

#include "eqt/core/error.h"

namespace eqt::so3 {
namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\n");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\n");
  return s.substr(first, last - first + 1);
}

int parse_non_negative(const std::string& digits, const std::string& context) {
  if (digits.empty() || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); })) {
    fail("invalid irreps '{}': '{}' is not a non-negative integer", context, digits);
  }
  return std::stoi(digits);
}

}  // namespace

Irrep::Irrep(int l_, int p_) : l(l_), p(p_) {
  if (l < 0) fail("invalid irrep: l = {} is negative", l);
  if (p != 1 && p != -1) fail("invalid irrep: parity {} is not +1 or -1", p);
}

Irrep::Irrep(const std::string& text) {
  const std::string s = trim(text);
  if (s.size() < 2) fail("invalid irrep '{}': expected l followed by e, o or y (e.g. '1o')", text);
  const char parity = s.back();
  l = parse_non_negative(s.substr(0, s.size() - 1), text);
  switch (parity) {
    case 'e': p = 1; break;
    case 'o': p = -1; break;
    case 'y': p = (l % 2 == 0) ? 1 : -1; break;
    default: fail("invalid irrep '{}': parity must be e, o or y, not '{}'", text, parity);
  }
}

std::string Irrep::str() const { return std::to_string(l) + (p == 1 ? "e" : "o"); }

std::vector<Irrep> Irrep::operator*(const Irrep& other) const {
  std::vector<Irrep> out;
  for (int lo = std::abs(l - other.l); lo <= l + other.l; ++lo) out.emplace_back(lo, p * other.p);
  return out;
}

std::string MulIrrep::str() const { return std::to_string(mul) + "x" + ir.str(); }

Irreps::Irreps(const std::string& text) {
  const std::string s = trim(text);
  if (s.empty()) return;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t plus = s.find('+', start);
    const std::string term = trim(s.substr(start, plus == std::string::npos ? std::string::npos
                                                                            : plus - start));
    if (term.empty()) fail("invalid irreps '{}': empty term", text);
    const std::size_t x = term.find('x');
    MulIrrep item;
    item.mul = x == std::string::npos ? 1 : parse_non_negative(trim(term.substr(0, x)), text);
    try {
      item.ir = Irrep(x == std::string::npos ? term : term.substr(x + 1));
    } catch (const Error& e) {
      fail("invalid irreps '{}': {}", text, e.what());
    }
    // MulIrrep::dim() is an int: refuse terms whose dimension would overflow it (mul and l may each
    // have six digits: 999999x999999e).
    if (int64_t{item.mul} * (2 * int64_t{item.ir.l} + 1) > (int64_t{1} << 30)) {
      fail("invalid irreps '{}': the term '{}' has a dimension over 2^30", text, term);
    }
    items_.push_back(item);
    if (plus == std::string::npos) break;
    start = plus + 1;
  }
}

Irreps Irreps::spherical_harmonics(int lmax, int p) {
  std::vector<MulIrrep> items;
  for (int l = 0; l <= lmax; ++l) items.push_back({1, Irrep(l, (p == -1 && l % 2 == 1) ? -1 : 1)});
  return Irreps(items);
}

int64_t Irreps::dim() const {
  int64_t d = 0;
  for (const auto& it : items_) d += it.dim();
  return d;
}

int64_t Irreps::num_irreps() const {
  int64_t n = 0;
  for (const auto& it : items_) n += it.mul;
  return n;
}

int Irreps::lmax() const {
  if (items_.empty()) fail("lmax of empty irreps");
  int l = 0;
  for (const auto& it : items_) l = std::max(l, it.ir.l);
  return l;
}

std::vector<std::pair<int64_t, int64_t>> Irreps::slices() const {
  std::vector<std::pair<int64_t, int64_t>> out;
  int64_t offset = 0;
  for (const auto& it : items_) {
    out.emplace_back(offset, offset + it.dim());
    offset += it.dim();
  }
  return out;
}

std::vector<int> Irreps::ls() const {
  std::vector<int> out;
  for (const auto& it : items_) out.insert(out.end(), it.mul, it.ir.l);
  return out;
}

int Irreps::count(const Irrep& ir) const {
  int n = 0;
  for (const auto& it : items_) n += it.ir == ir ? it.mul : 0;
  return n;
}

Irreps Irreps::simplify() const {
  std::vector<MulIrrep> out;
  for (const auto& it : items_) {
    if (!out.empty() && out.back().ir == it.ir) {
      out.back().mul += it.mul;
    } else if (it.mul > 0) {
      out.push_back(it);
    }
  }
  return Irreps(out);
}

Irreps::Sorted Irreps::sort() const {
  std::vector<int> inv(items_.size());
  std::iota(inv.begin(), inv.end(), 0);
  std::stable_sort(inv.begin(), inv.end(),
                   [&](int a, int b) { return items_[a].ir < items_[b].ir; });
  Sorted out;
  out.inv = inv;
  out.p.resize(inv.size());
  std::vector<MulIrrep> sorted;
  for (std::size_t k = 0; k < inv.size(); ++k) {
    out.p[inv[k]] = static_cast<int>(k);
    sorted.push_back(items_[inv[k]]);
  }
  out.irreps = Irreps(sorted);
  return out;
}

Irreps Irreps::operator+(const Irreps& other) const {
  std::vector<MulIrrep> out = items_;
  out.insert(out.end(), other.items_.begin(), other.items_.end());
  return Irreps(out);
}

Irreps Irreps::repeat(int times) const {
  std::vector<MulIrrep> out;
  for (int i = 0; i < times; ++i) out.insert(out.end(), items_.begin(), items_.end());
  return Irreps(out);
}

std::string Irreps::str() const {
  std::string out;
  for (const auto& it : items_) out += (out.empty() ? "" : "+") + it.str();
  return out;
}

}  // namespace eqt::so3
