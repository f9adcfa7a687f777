#pragma once
// Exact comparison of two Structures for round-trip tests (NaN equals NaN; dtypes must match).
#include <gtest/gtest.h>

#include "eqt/data/structure.h"

namespace eqt::data::testing_support {

inline bool same_tensor(const at::Tensor& a, const at::Tensor& b) {
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
  if (a.numel() == 0) return true;
  if (!a.is_floating_point()) return at::equal(a, b);
  return ((a == b) | (at::isnan(a) & at::isnan(b))).all().item<bool>();
}

inline void expect_same_info(const InfoValue& a, const InfoValue& b, const std::string& key) {
  ASSERT_EQ(a.index(), b.index()) << "info '" << key << "': text vs tensor";
  if (a.index() == 0) {
    EXPECT_EQ(std::get<std::string>(a), std::get<std::string>(b)) << "info '" << key << "'";
  } else {
    const auto& x = std::get<at::Tensor>(a);
    const auto& y = std::get<at::Tensor>(b);
    EXPECT_TRUE(same_tensor(x, y)) << "info '" << key << "': " << x << " vs " << y;
  }
}

inline void expect_same_structure(const Structure& a, const Structure& b) {
  EXPECT_TRUE(same_tensor(a.numbers, b.numbers));
  EXPECT_TRUE(same_tensor(a.positions, b.positions));
  EXPECT_TRUE(same_tensor(a.cell, b.cell));
  EXPECT_EQ(a.pbc, b.pbc);
  EXPECT_EQ(a.info_order, b.info_order);
  ASSERT_EQ(a.info.size(), b.info.size());
  for (const auto& [key, value] : a.info) {
    ASSERT_TRUE(b.info.count(key)) << "missing info '" << key << "'";
    expect_same_info(value, b.info.at(key), key);
  }
  EXPECT_EQ(a.array_order, b.array_order);
  ASSERT_EQ(a.arrays.size(), b.arrays.size());
  for (const auto& [key, value] : a.arrays) {
    ASSERT_TRUE(b.arrays.count(key)) << "missing array '" << key << "'";
    EXPECT_TRUE(same_tensor(value, b.arrays.at(key))) << "array '" << key << "'";
  }
  EXPECT_EQ(a.string_arrays, b.string_arrays);
}

}  // namespace eqt::data::testing_support
